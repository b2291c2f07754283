// The value syntax of a per-route cache setting (TACHYON_CACHE_PRODUCTS and friends): "off", or
// space/comma separated fields `ttl=5m stale=30s error=1h bytes=16MiB policy=w-tinylfu`, each optional;
// fields not given keep the value they had (the route's default, or an earlier source's).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tachyon/config/values.hpp"

namespace tachyon::config {

struct CacheRouteSetting {
  bool enabled = true;
  std::chrono::milliseconds ttl{std::chrono::seconds(60)};
  std::chrono::milliseconds stale_while_revalidate{0};  // `stale=`: served at once while one refresh runs
  std::chrono::milliseconds stale_if_error{0};          // `error=`: served only when the refresh fails
  std::uint64_t bytes = 16ull * 1024 * 1024;            // this route's local byte budget
  std::string policy = "w-tinylfu";                     // lru, lfu, fifo or w-tinylfu

  bool operator==(const CacheRouteSetting&) const = default;
};

// Parses `text` on top of `base`. Durations as parse_duration (ttl at least 1s), sizes as parse_size
// (64KiB..16GiB).
ParseResult<CacheRouteSetting> parse_cache_route(std::string_view text, const CacheRouteSetting& base);
// Every field, in the syntax parse_cache_route accepts ("off" when disabled).
std::string format_cache_route(const CacheRouteSetting& setting);

}  // namespace tachyon::config
