// The kernel receive stamps behind `tachyon bench --timestamps kernel`: they exist on TCP, they lie
// between the send and the read on the steady clock, and stamps a clock step made absurd are refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include <gtest/gtest.h>

#include "tachyon/loadgen/arrival_clock.hpp"

namespace {

using tachyon::loadgen::ArrivalClock;
using tachyon::loadgen::enable_receive_timestamps;
using tachyon::loadgen::receive_stamped;
using Steady = std::chrono::steady_clock;

std::int64_t micros_since(Steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - start).count();
}

// A connected loopback TCP pair: {client, accepted server side}.
std::pair<int, int> tcp_pair() {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  int server = ::accept(listener, nullptr, nullptr);
  ::close(listener);
  return {client, server};
}

TEST(LoadgenArrivalClock, TcpDataCarriesAStampBetweenItsSendAndItsRead) {
  auto [client, server] = tcp_pair();
  ASSERT_TRUE(enable_receive_timestamps(server));
  // The first socket to ask switches stamping on in the kernel a moment later (a deferred static
  // key): until then data arrives unstamped and the generator falls back to its own clock.
  char buffer[16];
  std::int64_t stamp_ns = 0;
  for (int attempt = 0; attempt < 1000 && stamp_ns == 0; ++attempt) {
    ASSERT_EQ(::send(client, "ping", 4, 0), 4);
    ASSERT_EQ(receive_stamped(server, buffer, sizeof buffer, stamp_ns), 4);
    if (stamp_ns == 0) ::usleep(1000);
  }
  ASSERT_NE(stamp_ns, 0) << "the kernel never stamped the data";
  Steady::time_point start = Steady::now();
  ArrivalClock clock(start);
  for (int round = 0; round < 20; ++round) {
    std::int64_t before_send = micros_since(start);
    ASSERT_EQ(::send(client, "ping", 4, 0), 4);
    ::usleep(200);  // the read happens measurably later than the arrival
    ASSERT_EQ(receive_stamped(server, buffer, sizeof buffer, stamp_ns), 4);
    std::int64_t after_read = micros_since(start);
    ASSERT_NE(stamp_ns, 0);
    // Unclamped (the widest bounds), the converted stamp lies between the send and the read; the
    // offset between the clocks is measured to within a microsecond or two.
    std::int64_t arrival = clock.to_steady_us(stamp_ns, INT64_MIN, INT64_MAX);
    EXPECT_GE(arrival, before_send - 5);
    EXPECT_LE(arrival, after_read + 5);
    // The 200 us sleep lies between arrival and read: the stamp does not move with the reader.
    EXPECT_LT(arrival, after_read - 100);
  }
  ::close(client);
  ::close(server);
}

TEST(LoadgenArrivalClock, WithoutAStampOrOutsideTheWindowTheReadersClockIsUsed) {
  Steady::time_point start = Steady::now();
  ArrivalClock clock(start);
  EXPECT_EQ(clock.to_steady_us(0, 0, 1234), 1234);
  auto realtime_now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::int64_t now = micros_since(start);
  // An hour in the future or before the request was sent: a clock step, not an arrival.
  EXPECT_EQ(clock.to_steady_us(realtime_now + 3'600'000'000'000, 0, now), now);
  EXPECT_EQ(clock.to_steady_us(realtime_now - 3'600'000'000'000, 0, now), now);
  // A plausible stamp is kept.
  std::int64_t converted = clock.to_steady_us(realtime_now, -1'000'000, now + 1'000'000);
  EXPECT_NEAR(static_cast<double>(converted), static_cast<double>(now), 1000.0);
}

TEST(LoadgenArrivalClock, UnixSocketsGiveNoStampAndStillRead) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  enable_receive_timestamps(pair[1]);
  ASSERT_EQ(::send(pair[0], "abc", 3, 0), 3);
  char buffer[8];
  std::int64_t stamp_ns = -1;
  ASSERT_EQ(receive_stamped(pair[1], buffer, sizeof buffer, stamp_ns), 3);
  EXPECT_EQ(std::string_view(buffer, 3), "abc");
  // Whatever the kernel does for unix sockets, the caller gets a stamp or 0, never garbage.
  if (stamp_ns != 0) {
    EXPECT_GT(stamp_ns, 1'600'000'000'000'000'000);
  }
  ::close(pair[0]);
  ::close(pair[1]);
}

}  // namespace
