// Least recently used: evicts the entry whose last use is oldest. The baseline every other policy is
// measured against, and the eviction order of the W-TinyLFU window and segments.
#pragma once

#include "tachyon/cache/policy.hpp"

namespace tachyon::cache {

// One access-ordered queue over slot-indexed links (front = least recent), with the weight of each
// slot. on_hit moves the entry to the back; on_insert appends and evicts from the front until the
// total weight fits. An entry heavier than the capacity is refused at once rather than flushing the
// whole cache for nothing.
class LruPolicy : public EvictionPolicy {
 public:
  explicit LruPolicy(std::uint64_t capacity) : capacity_(capacity) {}
  PolicyKind kind() const override { return PolicyKind::lru; }
  void record_lookup(std::uint64_t) override {}
  void on_hit(Slot slot) override;
  void on_insert(Slot slot, std::uint64_t key_hash, std::uint64_t weight, std::vector<Slot>& evicted) override;
  void on_remove(Slot slot) override;
  std::uint64_t weight() const override { return weight_; }
  std::uint64_t capacity() const override { return capacity_; }

 protected:
  // FIFO is LRU without the reordering on a hit.
  explicit LruPolicy(std::uint64_t capacity, bool reorder_on_hit)
      : capacity_(capacity), reorder_on_hit_(reorder_on_hit) {}
  bool resident(Slot slot) const { return slot < weights_.size() && weights_[slot] != not_resident; }

 private:
  static constexpr std::uint64_t not_resident = ~std::uint64_t{0};

  std::uint64_t capacity_;
  bool reorder_on_hit_ = true;
  std::uint64_t weight_ = 0;
  SlotLinks links_;
  SlotList queue_;
  std::vector<std::uint64_t> weights_;  // by slot; not_resident when the slot holds nothing
};

}  // namespace tachyon::cache
