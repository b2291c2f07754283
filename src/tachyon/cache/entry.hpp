// What a cache holds for one key: a rendered response (status, body, content type, strong ETag, when it
// was made, its compressed variants), when it stops being fresh, how long after that it may still be
// served stale, and the tags that invalidate it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/cache/encoded_variants.hpp"

namespace tachyon::cache {

// Freshness is kept in wall-clock milliseconds since the epoch, so an entry read back from Redis by
// another instance keeps the expiry the filling instance gave it.
using WallClock = std::chrono::system_clock;

std::int64_t wall_now_ms();

struct CacheEntry {
  int status = 200;
  std::string content_type = "application/json";
  std::string etag;  // strong entity tag, computed once when the entry is made
  std::string body;
  std::vector<std::string> tags;
  // When the origin made it (wall clock): its Last-Modified, the same on every instance that shares it.
  std::int64_t made_at_ms = 0;
  std::string last_modified;  // made_at_ms as an HTTP date; derived, not encoded
  EncodedVariants variants;
  std::int64_t fresh_until_ms = 0;  // wall clock; fresh before this
  // Stale-while-revalidate (RFC 5861 §3): before this it is served at once while one refresh runs.
  std::int64_t stale_until_ms = 0;
  // Stale-if-error (RFC 5861 §4): kept until this, and served only when a refresh fails.
  std::int64_t error_until_ms = 0;

  bool fresh_at(std::int64_t now_ms) const { return now_ms < fresh_until_ms; }
  bool servable_stale_at(std::int64_t now_ms) const { return now_ms < stale_until_ms; }
  bool kept_at(std::int64_t now_ms) const { return now_ms < error_until_ms; }
  // Bytes this entry is charged against a byte budget: payload plus a fixed bookkeeping overhead.
  std::uint64_t weight(std::string_view key) const;
  // Sets made_at_ms and last_modified.
  void set_made_at(std::int64_t wall_ms);
};

using EntryPointer = std::shared_ptr<const CacheEntry>;

// How a lookup was answered, as reported in X-Cache.
enum class CacheOutcome { hit, miss, stale };
std::string_view to_string(CacheOutcome outcome);  // "HIT", "MISS", "STALE"

// A binary, length-prefixed encoding of an entry for the Redis tier (versioned; decode rejects
// anything it does not fully understand rather than serve a corrupt body).
std::string encode_entry(const CacheEntry& entry);
bool decode_entry(std::string_view bytes, CacheEntry& out);

}  // namespace tachyon::cache
