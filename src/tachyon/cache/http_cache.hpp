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

// Cache-Control of a public cached route, from its policy: shared caches (a CDN, nginx) may keep an
// answer as long as the server does (s-maxage = ttl, plus stale-while-revalidate and stale-if-error per
// RFC 5861) and purge it by its Surrogate-Key; browsers revalidate every time (max-age=0), so a write is
// visible to the very next read. No namespace (not cached here): "public, no-cache".
std::string shared_cache_control(const CacheNamespace* space);

void respond_from_cache(http::Context& context, const CacheResult& result);

// fetch() then respond_from_cache(), timed as the request's `cache` span (Server-Timing). With no
// namespace (the route's cache is off) the loader answers directly, still with a strong ETag.
boost::asio::awaitable<void> serve_cached(http::Context& context, TieredCache* cache, CacheNamespace* space,
                                          std::string key, std::vector<std::string> tags, Loader loader);

}  // namespace tachyon::cache
