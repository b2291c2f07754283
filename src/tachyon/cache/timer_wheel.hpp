// Per-entry expiry (TTL) of the local cache: a hierarchical timer wheel with O(1) schedule, cancel and
// reschedule, and expiry work proportional to what expires (plus an amortized cascade).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "tachyon/cache/slot_list.hpp"

namespace tachyon::cache {

// Varghese & Lauck, "Hashed and Hierarchical Timing Wheels" (SOSP 1987), laid out like Caffeine's
// TimerWheel: five levels of buckets, each bucket a list of slots. Level 0 has 64 buckets of 2^30 ns
// (1.07 s), level 1 64 of 2^36 ns (1.14 min), level 2 32 of 2^42 ns (1.22 h), level 3 4 of 2^47 ns
// (1.63 d) and level 4 one overflow bucket for anything further than 2^49 ns (6.5 d). A timer goes to
// the lowest level whose range covers its delay, in the bucket of its tick at that level (powers of
// two, so a shift and a mask). advance() walks, per level, the buckets whose ticks passed since the
// previous call: an entry whose time has come fires; any other is filed again, which moves it to a
// lower, finer level (the cascade). A bucket only ever holds entries within its level's range, so
// the walk touches each bucket at most once per revolution.
//
// Resolution: a timer fires at the first advance() that crosses a level-0 tick boundary at or after
// its time, so at most one tick (1.07 s) after it if advance() is called often enough; the store
// checks the exact expiry time on a read, the wheel only reclaims entries nobody reads.
class TimerWheel {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TimerWheel(Clock::time_point now);

  // Arms (or re-arms) the timer of `slot`. A time already past fires at the next tick.
  void schedule(Slot slot, Clock::time_point expires_at);
  // Disarms it; a slot without a timer is ignored.
  void cancel(Slot slot);
  bool scheduled(Slot slot) const { return slot < bucket_of_.size() && bucket_of_[slot] < bucket_count; }
  std::size_t size() const { return scheduled_; }

  // Moves time forward (a `now` earlier than the last one changes nothing) and calls on_expired(slot)
  // once for every slot whose time is <= now. The timers are disarmed before the calls, and the calls
  // come after the wheel is consistent again, so on_expired may schedule or cancel any slot.
  template <class OnExpired>
  void advance(Clock::time_point now, OnExpired&& on_expired) {
    collect_expired(now);
    for (Slot slot : expired_) {
      // Still pending unless an earlier callback of this batch re-armed or cancelled it.
      if (slot < bucket_of_.size() && bucket_of_[slot] == pending) {
        bucket_of_[slot] = unscheduled;
        on_expired(slot);
      }
    }
    expired_.clear();
  }

 private:
  static constexpr int levels = 5;
  static constexpr std::array<int, levels> bucket_counts = {64, 64, 32, 4, 1};
  static constexpr std::array<int, levels + 1> shifts = {30, 36, 42, 47, 49, 49};  // log2 of each span
  static constexpr std::array<int, levels> first_bucket = {0, 64, 128, 160, 164};
  static constexpr std::uint32_t bucket_count = 165;
  static constexpr std::uint32_t unscheduled = bucket_count;
  static constexpr std::uint32_t pending = bucket_count + 1;  // expired, callback not yet made

  std::uint64_t nanoseconds(Clock::time_point time) const;
  void file(Slot slot);  // into the bucket of expires_[slot] as seen from now_
  void unlink(Slot slot);
  void collect_expired(Clock::time_point now);
  void expire_level(int level, std::uint64_t previous_ticks, std::uint64_t delta);

  Clock::time_point origin_;  // times are kept as nanoseconds since the construction
  std::uint64_t now_ = 0;
  std::size_t scheduled_ = 0;
  SlotLinks links_;
  std::array<SlotList, bucket_count> buckets_;
  std::vector<std::uint64_t> expires_;    // by slot
  std::vector<std::uint32_t> bucket_of_;  // by slot: a bucket index, unscheduled or pending
  std::vector<Slot> expired_;             // reused by every advance()
};

}  // namespace tachyon::cache
