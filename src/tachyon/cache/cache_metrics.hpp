// Prometheus metrics of a tiered cache, read from its counters at scrape time (nothing is added to
// the lookup path): lookups by cache, tier and result, loads, evictions, size, Redis state.
#pragma once

#include <memory>

#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::cache {

// The collector holds `cache` weakly: once it is gone, its metrics disappear from the scrape.
void register_cache_metrics(observe::Registry& registry, std::weak_ptr<TieredCache> cache);

}  // namespace tachyon::cache
