#include "tachyon/cache/timer_wheel.hpp"

#include <algorithm>

namespace tachyon::cache {

TimerWheel::TimerWheel(Clock::time_point now) : origin_(now) {}

std::uint64_t TimerWheel::nanoseconds(Clock::time_point time) const {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(time - origin_).count();
  return since < 0 ? 0 : static_cast<std::uint64_t>(since);
}

void TimerWheel::schedule(Slot slot, Clock::time_point expires_at) {
  if (slot >= bucket_of_.size()) {
    std::size_t size = std::max<std::size_t>(slot + 1, bucket_of_.size() * 2);
    bucket_of_.resize(size, unscheduled);
    expires_.resize(size, 0);
  }
  links_.ensure(slot);
  unlink(slot);
  expires_[slot] = nanoseconds(expires_at);
  file(slot);
}

void TimerWheel::cancel(Slot slot) {
  if (slot >= bucket_of_.size()) return;
  unlink(slot);
  if (bucket_of_[slot] == pending) bucket_of_[slot] = unscheduled;
}

void TimerWheel::unlink(Slot slot) {
  std::uint32_t bucket = bucket_of_[slot];
  if (bucket >= bucket_count) return;
  buckets_[bucket].erase(links_, slot);
  bucket_of_[slot] = unscheduled;
  --scheduled_;
}

void TimerWheel::file(Slot slot) {
  // A time already past goes to the current tick's bucket, which the next tick's walk starts with;
  // filed by its own tick it would sit behind the walk until the level came round again.
  std::uint64_t time = std::max(expires_[slot], now_);
  std::uint64_t delay = time - now_;
  std::uint32_t bucket = first_bucket[levels - 1];
  for (int level = 0; level < levels - 1; ++level) {
    if (delay < (std::uint64_t{1} << shifts[level + 1])) {
      auto mask = static_cast<std::uint64_t>(bucket_counts[level] - 1);
      bucket = first_bucket[level] + static_cast<std::uint32_t>((time >> shifts[level]) & mask);
      break;
    }
  }
  buckets_[bucket].push_back(links_, slot);
  bucket_of_[slot] = bucket;
  ++scheduled_;
}

void TimerWheel::collect_expired(Clock::time_point now) {
  std::uint64_t previous = now_;
  std::uint64_t current = nanoseconds(now);
  if (current <= previous) return;
  now_ = current;
  // A level only moves when the one below it wrapped, so the first level whose tick did not change
  // ends the walk.
  for (int level = 0; level < levels; ++level) {
    std::uint64_t previous_ticks = previous >> shifts[level];
    std::uint64_t current_ticks = current >> shifts[level];
    if (current_ticks <= previous_ticks) break;
    expire_level(level, previous_ticks, current_ticks - previous_ticks);
  }
}

void TimerWheel::expire_level(int level, std::uint64_t previous_ticks, std::uint64_t delta) {
  auto count = static_cast<std::uint64_t>(bucket_counts[level]);
  std::uint64_t mask = count - 1;
  // The bucket of the previous tick too: it may hold times after `previous` that have now passed.
  std::uint64_t steps = std::min(delta + 1, count);
  for (std::uint64_t step = 0; step < steps; ++step) {
    std::uint32_t bucket = first_bucket[level] + static_cast<std::uint32_t>((previous_ticks + step) & mask);
    scheduled_ -= buckets_[bucket].size();
    // Detach first: entries filed again may land in this very bucket, and must wait for its next turn.
    Slot slot = buckets_[bucket].detach_all();
    while (slot != no_slot) {
      Slot next = links_.next(slot);
      if (expires_[slot] <= now_) {
        bucket_of_[slot] = pending;
        expired_.push_back(slot);
      } else {
        file(slot);
      }
      slot = next;
    }
  }
}

}  // namespace tachyon::cache
