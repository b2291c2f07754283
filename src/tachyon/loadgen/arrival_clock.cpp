#include "tachyon/loadgen/arrival_clock.hpp"

#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tachyon/loadgen/socket_calls.hpp"

namespace tachyon::loadgen {
namespace {

std::int64_t clock_ns(clockid_t clock) {
  timespec now{};
  ::clock_gettime(clock, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

bool enable_receive_timestamps(int descriptor) {
  int enable = 1;
  return ::setsockopt(descriptor, SOL_SOCKET, SO_TIMESTAMPNS, &enable, sizeof enable) == 0;
}

ssize_t receive_stamped(int descriptor, char* buffer, std::size_t size, std::int64_t& realtime_ns) {
  iovec data{buffer, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  realtime_ns = 0;
  ssize_t received = receive_message_now(descriptor, &message);
  if (received <= 0) return received;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp{};
      std::memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
      realtime_ns = static_cast<std::int64_t>(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
    }
  }
  return received;
}

ArrivalClock::ArrivalClock(std::chrono::steady_clock::time_point start) : start_(start) {
  resync();
}

void ArrivalClock::resync() {
  // The realtime reading is taken between two steady ones; of three tries the tightest pair wins.
  std::int64_t best_gap = INT64_MAX;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::int64_t before = clock_ns(CLOCK_MONOTONIC);
    std::int64_t realtime = clock_ns(CLOCK_REALTIME);
    std::int64_t after = clock_ns(CLOCK_MONOTONIC);
    if (after - before < best_gap) {
      best_gap = after - before;
      realtime_minus_steady_ns_ = realtime - (before + (after - before) / 2);
    }
  }
}

std::int64_t ArrivalClock::to_steady_us(std::int64_t realtime_ns, std::int64_t earliest_us, std::int64_t now_us) const {
  if (realtime_ns == 0) return now_us;
  std::int64_t steady_ns = realtime_ns - realtime_minus_steady_ns_;
  std::int64_t start_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start_.time_since_epoch()).count();
  std::int64_t since_start_us = (steady_ns - start_ns) / 1000;
  if (since_start_us > now_us || since_start_us < earliest_us) return now_us;
  return since_start_us;
}

}  // namespace tachyon::loadgen
