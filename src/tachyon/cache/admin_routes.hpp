// The cache's admin endpoints: GET /v1/admin/cache (per cache and tier: entries, bytes, hits,
// misses, evictions, hit ratio) and DELETE /v1/admin/cache?key=...|tag=... (both tiers, every
// instance, and the CDN through its purge hook when one is given). Both need the `admin` scope, declared on the routes
// and enforced by the access middleware.
#pragma once

#include <memory>

#include "tachyon/cache/cdn_purge.hpp"
#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::cache {

void add_cache_admin_routes(http::Router& router, std::shared_ptr<TieredCache> cache,
                            std::shared_ptr<CdnPurger> cdn = nullptr);

}  // namespace tachyon::cache
