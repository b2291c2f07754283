// Serving HTTP answers through the tiered cache: the cached status, body, content type, strong ETag and
// Last-Modified (when it was made), `X-Cache: HIT | MISS | STALE`, the stored compressed variant the
// request's Accept-Encoding asks for (made once per entry), and on public routes the Surrogate-Key and
// Cache-Tag a CDN purges by. The 304 for a current If-None-Match is made by the representation
// middleware (http/conditional.hpp).
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
