// First in, first out: evicts the entry inserted longest ago, whatever its hits. The cheapest policy
// (a hit changes nothing, so it needs no write under the lock) and a lower bound for the others.
#pragma once

#include "tachyon/cache/lru_policy.hpp"

namespace tachyon::cache {

// LRU's queue in insertion order: the same structure with on_hit doing nothing.
class FifoPolicy final : public LruPolicy {
 public:
  explicit FifoPolicy(std::uint64_t capacity) : LruPolicy(capacity, /*reorder_on_hit=*/false) {}
  PolicyKind kind() const override { return PolicyKind::fifo; }
};

}  // namespace tachyon::cache
