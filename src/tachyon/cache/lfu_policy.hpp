// Least frequently used, with dynamic aging: evicts the entry with the fewest uses, but counts an
// entry's uses from the cache's "age" when it arrived, so a once-popular entry cannot stay forever.
#pragma once

#include "tachyon/cache/policy.hpp"

namespace tachyon::cache {

// The O(1) LFU of Shah, Mitra & Matani ("An O(1) algorithm for implementing the LFU cache eviction
// scheme", 2010): entries sit in buckets of equal count, buckets in a list in ascending count. A hit
// moves the entry to the bucket of count + 1 (the next bucket, or a new one right after); the
// victim is the front of the first bucket. Within a bucket entries are in arrival order, so ties go
// to the least recently promoted (LRU).
//
// Aging: plain LFU keeps entries that were hot long ago (their counts only grow) and starves new
// ones. This is LFU-DA (Arlitt, Cherkasova, Dilley, Friedman, Jin, "Evaluating content management
// techniques for Web proxy caches", 2000): the cache has an age L, the count of the last victim; a
// new entry starts at L + 1 instead of 1, a hit adds 1. Old counts thus lose value as L rises. It
// stays O(1): every count is >= L, so the bucket of L + 1 is the first or the second one.
class LfuPolicy final : public EvictionPolicy {
 public:
  explicit LfuPolicy(std::uint64_t capacity) : capacity_(capacity) {}
  PolicyKind kind() const override { return PolicyKind::lfu; }
  void record_lookup(std::uint64_t) override {}
  void on_hit(Slot slot) override;
  void on_insert(Slot slot, std::uint64_t key_hash, std::uint64_t weight, std::vector<Slot>& evicted) override;
  void on_remove(Slot slot) override;
  std::uint64_t weight() const override { return weight_; }
  std::uint64_t capacity() const override { return capacity_; }

  std::uint64_t age() const { return age_; }

 private:
  using Bucket = std::uint32_t;  // buckets are listed with the same intrusive lists as slots

  bool resident(Slot slot) const { return slot < bucket_of_.size() && bucket_of_[slot] != no_slot; }
  Bucket new_bucket(std::uint64_t count);
  // The bucket of `count`, made right after `previous` (no_slot: at the front) if missing.
  Bucket bucket_after(Bucket previous, std::uint64_t count);
  void leave_bucket(Slot slot);

  std::uint64_t capacity_;
  std::uint64_t weight_ = 0;
  std::uint64_t age_ = 0;

  SlotLinks slot_links_;
  std::vector<Bucket> bucket_of_;       // by slot; no_slot when not resident
  std::vector<std::uint64_t> weights_;  // by slot

  SlotLinks bucket_links_;
  SlotList buckets_;                   // ascending count
  std::vector<std::uint64_t> counts_;  // by bucket
  std::vector<SlotList> members_;      // by bucket, oldest arrival first
  std::vector<Bucket> free_buckets_;
};

}  // namespace tachyon::cache
