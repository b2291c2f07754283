// When a response reached this machine, not when the generator thread got round to reading it: the
// kernel's receive timestamp of a socket's data (SO_TIMESTAMPNS), on the worker's steady clock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace tachyon::loadgen {

// Asks the kernel to stamp `descriptor`'s received data (TCP keeps the stamp of the newest segment
// a read returns). Returns false when the socket cannot (the caller then keeps its own clock).
bool enable_receive_timestamps(int descriptor);

// recv(2) that also returns the kernel's receive time of the data read (CLOCK_REALTIME, ns), or 0
// when the kernel gave none (e.g. a unix socket).
ssize_t receive_stamped(int descriptor, char* buffer, std::size_t size, std::int64_t& realtime_ns);

// Converts CLOCK_REALTIME stamps to microseconds since `start` on the steady clock. The offset
// between the two clocks is re-measured by resync() (NTP slews CLOCK_REALTIME; it can also jump).
class ArrivalClock {
 public:
  explicit ArrivalClock(std::chrono::steady_clock::time_point start);
  void resync();
  // The stamp on the steady clock, clamped into [earliest, now]: a stamp outside that range (a
  // clock step since the last resync) is not believed.
  std::int64_t to_steady_us(std::int64_t realtime_ns, std::int64_t earliest_us, std::int64_t now_us) const;

 private:
  std::chrono::steady_clock::time_point start_;
  std::int64_t realtime_minus_steady_ns_ = 0;
};

}  // namespace tachyon::loadgen
