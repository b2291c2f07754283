// send/recv/recvmsg for the generator's hot path, issued as plain system calls: glibc's wrappers are
// thread-cancellation points and pay two atomic operations per call for it; no generator thread is
// ever cancelled. Same results and errno as the wrappers.
#pragma once

#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace tachyon::loadgen {

inline ssize_t send_now(int descriptor, const void* data, std::size_t size, int flags) {
  return ::syscall(SYS_sendto, descriptor, data, size, flags, nullptr, 0);
}

inline ssize_t receive_now(int descriptor, void* buffer, std::size_t size) {
  return ::syscall(SYS_recvfrom, descriptor, buffer, size, 0, nullptr, nullptr);
}

inline ssize_t receive_message_now(int descriptor, msghdr* message) {
  return ::syscall(SYS_recvmsg, descriptor, message, 0);
}

}  // namespace tachyon::loadgen
