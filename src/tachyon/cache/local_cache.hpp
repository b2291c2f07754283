// The in-process cache (L1): sharded by key hash, bounded by bytes rather than entries, with a
// pluggable eviction policy per shard (LRU, LFU, FIFO, W-TinyLFU) and per-entry TTL reclaimed in O(1)
// by a timer wheel. Safe from every event loop: each shard has its own short critical section.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/cache/entry.hpp"
#include "tachyon/cache/policy.hpp"

namespace tachyon::cache {

struct LocalCacheOptions {
  std::string name = "default";  // the cache's name in metrics and the admin endpoint
  std::uint64_t capacity_bytes = 64ull * 1024 * 1024;
  PolicyKind policy = PolicyKind::w_tinylfu;
  // 0: as many as keep each shard at 256 KiB or more, at most 16. One shard gives the policy the
  // whole key space (best hit ratio); more shards give more parallel event loops less contention.
  unsigned shards = 0;
};

struct LocalCacheStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  std::uint64_t capacity_bytes = 0;
  std::uint64_t hits = 0;
  std::uint64_t stale_hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t puts = 0;
  std::uint64_t rejected = 0;       // refused by admission (W-TinyLFU) or larger than a shard
  std::uint64_t evictions = 0;      // removed to respect the byte budget
  std::uint64_t expirations = 0;    // removed when kept past their last (stale-if-error) window
  std::uint64_t invalidations = 0;  // removed by key, by tag or by clear()
};

// hit: fresh. stale: inside its stale-while-revalidate window (serve it, refresh once). miss with an
// entry: past that window but kept for stale-if-error (serve it only if the refresh fails).
struct LocalLookup {
  EntryPointer entry;
  CacheOutcome outcome = CacheOutcome::miss;
};

class LocalCache {
 public:
  explicit LocalCache(LocalCacheOptions options);
  ~LocalCache();
  LocalCache(const LocalCache&) = delete;
  LocalCache& operator=(const LocalCache&) = delete;

  // The entry for `key` as it stands at `now_ms` (see LocalLookup); counts a hit, stale hit or miss.
  LocalLookup get(std::string_view key, std::int64_t now_ms);
  LocalLookup get(std::string_view key) { return get(key, wall_now_ms()); }

  // Stores `entry` under `key`, replacing what was there. An entry not kept at `now_ms` is not stored. Returns false
  // when it was not kept (expired, refused by admission, or too large). `still_valid`, when given, is asked under the
  // shard's lock and the entry is dropped when it says no: an invalidation that must win over this fill takes the same
  // lock after moving its epoch.
  bool put(std::string_view key, EntryPointer entry, std::int64_t now_ms,
           const std::function<bool()>& still_valid = {});
  bool put(std::string_view key, EntryPointer entry) { return put(key, std::move(entry), wall_now_ms()); }

  bool remove(std::string_view key);
  // Drops every entry carrying `tag`; returns how many.
  std::size_t remove_tag(std::string_view tag);
  void clear();

  // Reclaims entries whose last window has ended (lookups and puts also do this as they go).
  void expire(std::int64_t now_ms);

  const std::string& name() const { return options_.name; }
  PolicyKind policy() const { return options_.policy; }
  LocalCacheStats stats() const;

 private:
  struct Shard;
  Shard& shard_for(std::uint64_t hash);

  LocalCacheOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  unsigned shard_shift_ = 64;
};

}  // namespace tachyon::cache
