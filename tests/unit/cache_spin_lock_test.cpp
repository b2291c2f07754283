// The local cache's shard lock: mutual exclusion under contention from more threads than cores,
// and try_lock.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "tachyon/cache/spin_lock.hpp"

namespace {

using tachyon::cache::SpinLock;

TEST(SpinLock, TryLockFailsWhileHeld) {
  SpinLock lock;
  EXPECT_TRUE(lock.try_lock());
  EXPECT_FALSE(lock.try_lock());
  lock.unlock();
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
}

TEST(SpinLock, NoIncrementIsLostUnderContention) {
  SpinLock lock;
  // A non-atomic read-modify-write spread over two variables: any overlap of critical sections shows.
  long counter = 0;
  long shadow = 0;
  constexpr int threads = 8;  // more than this machine's cores: holders get preempted
  constexpr int rounds = 50'000;
  std::vector<std::thread> workers;
  for (int thread = 0; thread < threads; ++thread) {
    workers.emplace_back([&] {
      for (int round = 0; round < rounds; ++round) {
        std::lock_guard guard(lock);
        long value = counter;
        shadow = value;
        counter = value + 1;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(counter, long{threads} * rounds);
  EXPECT_EQ(shadow, counter - 1);
}

}  // namespace
