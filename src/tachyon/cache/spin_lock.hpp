// A test-and-test-and-set spin lock for critical sections of a few hundred nanoseconds (a local cache
// shard's): cheaper than std::mutex when uncontended, and it yields the CPU when it must wait long.
#pragma once

#include <atomic>

namespace tachyon::cache {

// Uncontended, lock() is one atomic exchange and unlock() a plain release store, where std::mutex
// pays a compare-and-swap on each side and two calls into libpthread. Contended, a waiter spins on a
// plain load (no cache-line ping-pong) for a bounded number of rounds, then calls
// std::this_thread::yield() between attempts, so a holder that was preempted gets the CPU back instead
// of being starved by spinners. Not fair and not recursive; meets the Lockable requirements, so it
// works with std::lock_guard and std::unique_lock. Use it only where the holder never blocks.
class SpinLock {
 public:
  void lock() noexcept {
    if (!locked_.exchange(true, std::memory_order_acquire)) return;
    lock_contended();
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  void lock_contended() noexcept;

  std::atomic<bool> locked_{false};
};

}  // namespace tachyon::cache
