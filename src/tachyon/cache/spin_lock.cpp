#include "tachyon/cache/spin_lock.hpp"

#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tachyon::cache {

namespace {

// Rounds of pause (10 to 140 cycles each, by CPU) before the waiter starts yielding: a few
// microseconds at most, several shard critical sections.
constexpr int spins_before_yield = 128;

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace

void SpinLock::lock_contended() noexcept {
  for (int spins = 0;; ++spins) {
    // Wait on a plain load, which keeps the line shared, and only then retry the exchange.
    while (locked_.load(std::memory_order_relaxed)) {
      if (spins < spins_before_yield) {
        cpu_relax();
        ++spins;
      } else {
        std::this_thread::yield();
      }
    }
    if (!locked_.exchange(true, std::memory_order_acquire)) return;
  }
}

}  // namespace tachyon::cache
