#include "tachyon/cache/local_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "tachyon/cache/slot_index.hpp"
#include "tachyon/cache/spin_lock.hpp"
#include "tachyon/cache/timer_wheel.hpp"
#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace tachyon::cache {

namespace {

constexpr std::uint64_t min_shard_bytes = 256 * 1024;
constexpr unsigned max_shards = 16;
// Lookups reclaim expired entries every this many calls per shard; puts always do.
constexpr std::uint32_t lookups_per_expiry_pass = 256;

// Our own key hash, because it is a third of a hit's instructions: libstdc++'s std::hash runs
// MurmurHash2 a byte-pair at a time (85 instructions for a 14-byte key under callgrind); this takes
// the key 8 bytes at a time, each word multiplied in, then MurmurHash3's 64-bit finalizer so the top
// bits (the shard) and the low bits (the index's bucket) are both well mixed.
std::uint64_t key_hash(std::string_view key) {
  constexpr std::uint64_t multiplier = 0x9e3779b97f4a7c15ull;
  std::uint64_t hash = key.size() * multiplier;
  const char* bytes = key.data();
  std::size_t left = key.size();
  while (left >= 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes, 8);
    hash = (hash ^ word) * multiplier;
    hash ^= hash >> 29;
    bytes += 8;
    left -= 8;
  }
  if (left > 0) {
    std::uint64_t word = 0;
    if (key.size() >= 8) {
      // The tail as the high bytes of the 8 ending the key, shifted down: a fixed-size load where a
      // memcpy of `left` bytes is a library call (on little-endian machines the same value).
      std::memcpy(&word, bytes + left - 8, 8);
      word >>= (8 - left) * 8;
    } else {
      std::memcpy(&word, bytes, left);
    }
    hash = (hash ^ word) * multiplier;
  }
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ull;
  hash ^= hash >> 33;
  return hash;
}

// Key equality without the call into libc's memcmp on the hit path: keys of 8 bytes or more are
// compared a word at a time, the last word overlapping the one before it.
bool same_key(std::string_view stored, std::string_view key) {
  std::size_t size = key.size();
  if (stored.size() != size) return false;
  if (size < 8) return std::memcmp(stored.data(), key.data(), size) == 0;
  auto word = [](const char* bytes) {
    std::uint64_t value;
    std::memcpy(&value, bytes, 8);
    return value;
  };
  for (std::size_t offset = 0; offset + 8 < size; offset += 8) {
    if (word(stored.data() + offset) != word(key.data() + offset)) return false;
  }
  return word(stored.data() + size - 8) == word(key.data() + size - 8);
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return key_hash(text); }
};

// The timer wheel counts in steady_clock time points; this cache keeps wall-clock milliseconds, and
// only differences matter to the wheel, so a millisecond count is used as a time point as it is.
std::chrono::steady_clock::time_point wheel_time(std::int64_t now_ms) {
  return std::chrono::steady_clock::time_point(std::chrono::milliseconds(now_ms));
}

unsigned shard_count_for(const LocalCacheOptions& options) {
  if (options.shards != 0) return std::bit_ceil(std::min(options.shards, 256u));
  std::uint64_t by_size = std::max<std::uint64_t>(1, options.capacity_bytes / min_shard_bytes);
  return std::bit_floor(static_cast<unsigned>(std::min<std::uint64_t>(by_size, max_shards)));
}

}  // namespace

struct LocalCache::Shard {
  // One cache line: a hit reads the key (short keys are inline in the string), the entry pointer and
  // nothing else here.
  struct alignas(64) Record {
    std::string key;
    EntryPointer entry;  // null: the slot is free
    std::uint64_t hash = 0;
    std::uint64_t weight = 0;
  };

  // The wheel starts at time 0 so that any clock, real or a test's, is ahead of it.
  Shard(PolicyKind kind, std::uint64_t capacity) : policy(make_policy(kind, capacity)), wheel(wheel_time(0)) {}

  Slot allocate_slot() {
    if (!free_slots.empty()) {
      Slot slot = free_slots.back();
      free_slots.pop_back();
      return slot;
    }
    records.emplace_back();
    return static_cast<Slot>(records.size() - 1);
  }

  void index_tags(Slot slot, const CacheEntry& entry) {
    for (const std::string& tag : entry.tags) tags[tag].insert(slot);
  }

  void unindex_tags(Slot slot, const CacheEntry& entry) {
    for (const std::string& tag : entry.tags) {
      auto found = tags.find(tag);
      if (found == tags.end()) continue;
      found->second.erase(slot);
      if (found->second.empty()) tags.erase(found);
    }
  }

  // Forgets the slot everywhere but in the policy (callers tell the policy, or it told them).
  void drop(Slot slot) {
    Record& record = records[slot];
    unindex_tags(slot, *record.entry);
    wheel.cancel(slot);
    bytes -= record.weight;
    index.erase(record.hash, slot);
    record.entry.reset();
    record.key.clear();  // keeps its buffer for the slot's next key
    record.weight = 0;
    free_slots.push_back(slot);
  }

  Slot find(std::string_view key, std::uint64_t hash) const {
    return index.find(hash, [this, key](Slot slot) { return same_key(records[slot].key, key); });
  }

  void remove_slot(Slot slot) {
    policy->on_remove(slot);
    drop(slot);
  }

  void expire(std::int64_t now_ms) {
    wheel.advance(wheel_time(now_ms), [this](Slot slot) {
      if (records[slot].entry == nullptr) return;
      ++stats.expirations;
      remove_slot(slot);
    });
  }

  mutable SpinLock mutex;
  SlotIndex index;
  std::vector<Record> records;
  std::vector<Slot> free_slots;
  std::unordered_map<std::string, std::unordered_set<Slot>, StringHash, std::equal_to<>> tags;
  std::unique_ptr<EvictionPolicy> policy;
  TimerWheel wheel;
  std::vector<Slot> evicted;  // scratch for on_insert
  std::uint64_t bytes = 0;
  std::uint32_t lookups_since_expiry = 0;
  LocalCacheStats stats;
};

LocalCache::LocalCache(LocalCacheOptions options) : options_(std::move(options)) {
  unsigned count = shard_count_for(options_);
  shard_shift_ = 64 - static_cast<unsigned>(std::countr_zero(count));
  for (unsigned index = 0; index < count; ++index) {
    shards_.push_back(std::make_unique<Shard>(options_.policy, options_.capacity_bytes / count));
  }
  if (options_.policy == PolicyKind::w_tinylfu && count > 1) {
    // Shard 0's miniatures size every shard's window (WTinyLfuPolicy::share_window): the shards see
    // alike traffic, and one simulation instead of `count` spares the others the sampled replays.
    auto shared = std::make_shared<SharedWindowShare>();
    for (unsigned index = 0; index < count; ++index) {
      static_cast<WTinyLfuPolicy&>(*shards_[index]->policy).share_window(shared, index == 0);
    }
  }
}

LocalCache::~LocalCache() = default;

LocalCache::Shard& LocalCache::shard_for(std::uint64_t hash) {
  // The top bits choose the shard; the policy's sketch uses the whole hash.
  return shard_shift_ >= 64 ? *shards_[0] : *shards_[hash >> shard_shift_];
}

LocalLookup LocalCache::get(std::string_view key, std::int64_t now_ms) {
  std::uint64_t hash = key_hash(key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  shard.policy->record_lookup(hash);
  if (++shard.lookups_since_expiry >= lookups_per_expiry_pass) {
    shard.lookups_since_expiry = 0;
    shard.expire(now_ms);
  }
  Slot slot = shard.find(key, hash);
  if (slot == no_slot) {
    ++shard.stats.misses;
    return {};
  }
  const EntryPointer& entry = shard.records[slot].entry;
  if (!entry->kept_at(now_ms)) {
    ++shard.stats.misses;
    ++shard.stats.expirations;
    shard.remove_slot(slot);
    return {};
  }
  if (entry->fresh_at(now_ms)) {
    shard.policy->on_hit(slot);
    ++shard.stats.hits;
    return {entry, CacheOutcome::hit};
  }
  if (entry->servable_stale_at(now_ms)) {
    shard.policy->on_hit(slot);
    ++shard.stats.stale_hits;
    return {entry, CacheOutcome::stale};
  }
  ++shard.stats.misses;
  return {entry, CacheOutcome::miss};
}

bool LocalCache::put(std::string_view key, EntryPointer entry, std::int64_t now_ms,
                     const std::function<bool()>& still_valid) {
  if (entry == nullptr || !entry->kept_at(now_ms)) return false;
  std::uint64_t hash = key_hash(key);
  std::uint64_t weight = entry->weight(key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  if (still_valid && !still_valid()) return false;
  shard.expire(now_ms);
  ++shard.stats.puts;
  if (Slot found = shard.find(key, hash); found != no_slot) shard.remove_slot(found);

  Slot slot = shard.allocate_slot();
  shard.index.insert(hash, slot);
  Shard::Record& record = shard.records[slot];
  record.key.assign(key);
  record.hash = hash;
  record.entry = std::move(entry);
  record.weight = weight;
  shard.bytes += weight;
  shard.index_tags(slot, *record.entry);
  shard.wheel.schedule(slot, wheel_time(record.entry->error_until_ms));

  shard.evicted.clear();
  shard.policy->on_insert(slot, hash, weight, shard.evicted);
  bool kept = true;
  for (Slot victim : shard.evicted) {
    if (victim == slot) {
      kept = false;
      ++shard.stats.rejected;
    } else {
      ++shard.stats.evictions;
    }
    shard.drop(victim);
  }
  return kept;
}

bool LocalCache::remove(std::string_view key) {
  std::uint64_t hash = key_hash(key);
  Shard& shard = shard_for(hash);
  std::lock_guard lock(shard.mutex);
  Slot found = shard.find(key, hash);
  if (found == no_slot) return false;
  ++shard.stats.invalidations;
  shard.remove_slot(found);
  return true;
}

std::size_t LocalCache::remove_tag(std::string_view tag) {
  std::size_t removed = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    auto found = shard->tags.find(tag);
    if (found == shard->tags.end()) continue;
    std::vector<Slot> slots(found->second.begin(), found->second.end());
    for (Slot slot : slots) shard->remove_slot(slot);
    shard->stats.invalidations += slots.size();
    removed += slots.size();
  }
  return removed;
}

void LocalCache::clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    std::vector<Slot> slots;
    slots.reserve(shard->index.size());
    for (Slot slot = 0; slot < shard->records.size(); ++slot) {
      if (shard->records[slot].entry != nullptr) slots.push_back(slot);
    }
    for (Slot slot : slots) shard->remove_slot(slot);
    shard->stats.invalidations += slots.size();
  }
}

void LocalCache::expire(std::int64_t now_ms) {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    shard->expire(now_ms);
  }
}

LocalCacheStats LocalCache::stats() const {
  LocalCacheStats total;
  total.capacity_bytes = options_.capacity_bytes;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    const LocalCacheStats& part = shard->stats;
    total.entries += shard->index.size();
    total.bytes += shard->bytes;
    total.hits += part.hits;
    total.stale_hits += part.stale_hits;
    total.misses += part.misses;
    total.puts += part.puts;
    total.rejected += part.rejected;
    total.evictions += part.evictions;
    total.expirations += part.expirations;
    total.invalidations += part.invalidations;
  }
  return total;
}

}  // namespace tachyon::cache
