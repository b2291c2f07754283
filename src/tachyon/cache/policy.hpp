// Eviction policies of the local cache: which resident entries leave when their total weight (bytes)
// exceeds the capacity. The store owns keys and values; a policy only sees slots, hashes and weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "tachyon/cache/slot_list.hpp"

namespace tachyon::cache {

enum class PolicyKind { lru, lfu, fifo, w_tinylfu };

// Parses "lru" | "lfu" | "fifo" | "w-tinylfu" (also "tinylfu"); throws std::invalid_argument otherwise.
PolicyKind parse_policy_kind(std::string_view name);
std::string_view to_string(PolicyKind kind);

// The store calls these under its shard lock. Everything is O(1) (amortized) and allocates nothing per
// operation once the per-slot arrays have grown to the highest slot the store uses.
//
// Contract with the store:
//  - record_lookup(hash) for every lookup, hit or miss; a put that no lookup preceded should call it
//    too (Caffeine counts writes), or the frequency sketch never hears of keys that are only written.
//  - on_hit(slot) after a lookup found a resident entry.
//  - on_insert(slot, ...) for a new resident entry; then the store drops every slot appended to
//    `evicted` (the policy has already forgotten them). `slot` itself may be among them.
//  - on_remove(slot) when the store drops an entry for its own reasons; replacing a value is
//    on_remove + on_insert (the new weight may differ). Unknown slots are ignored by both calls.
class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;
  virtual PolicyKind kind() const = 0;
  virtual void record_lookup(std::uint64_t key_hash) = 0;
  virtual void on_hit(Slot slot) = 0;
  virtual void on_insert(Slot slot, std::uint64_t key_hash, std::uint64_t weight, std::vector<Slot>& evicted) = 0;
  virtual void on_remove(Slot slot) = 0;
  virtual std::uint64_t weight() const = 0;  // sum of resident weights, always <= capacity()
  virtual std::uint64_t capacity() const = 0;
};

std::unique_ptr<EvictionPolicy> make_policy(PolicyKind kind, std::uint64_t capacity_bytes);

}  // namespace tachyon::cache
