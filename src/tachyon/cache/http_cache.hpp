// Serving HTTP answers through the tiered cache: the cached status, body, content type and strong
// ETag, `X-Cache: HIT | MISS | STALE`, and 304 Not Modified when If-None-Match matches.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/http/context.hpp"

namespace tachyon::cache {

void respond_from_cache(http::Context& context, const CacheResult& result);

// fetch() then respond_from_cache(), timed as the request's `cache` span (Server-Timing). With no
// namespace (the route's cache is off) the loader answers directly, still with a strong ETag.
boost::asio::awaitable<void> serve_cached(http::Context& context, TieredCache* cache, CacheNamespace* space,
                                          std::string key, std::vector<std::string> tags, Loader loader);

}  // namespace tachyon::cache
