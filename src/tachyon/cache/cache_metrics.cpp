#include "tachyon/cache/cache_metrics.hpp"

namespace tachyon::cache {

namespace {

using observe::FamilySnapshot;
using observe::MetricType;
using observe::SeriesSnapshot;

FamilySnapshot family(std::string name, std::string help, MetricType type, std::vector<std::string> labels) {
  return FamilySnapshot{
      .name = std::move(name), .help = std::move(help), .type = type, .label_names = std::move(labels)};
}

void add(FamilySnapshot& to, std::vector<std::string> labels, double value) {
  to.series.push_back(SeriesSnapshot{.label_values = std::move(labels), .value = value});
}

double read(const std::atomic<std::uint64_t>& counter) {
  return static_cast<double>(counter.load(std::memory_order_relaxed));
}

}  // namespace

void register_cache_metrics(observe::Registry& registry, std::weak_ptr<TieredCache> cache) {
  registry.add_collector([cache = std::move(cache)](std::vector<FamilySnapshot>& out) {
    std::shared_ptr<TieredCache> alive = cache.lock();
    if (!alive) return;
    auto lookups = family("tachyon_cache_requests_total",
                          "Cache lookups by cache, tier (local, redis) and result (hit, stale, miss).",
                          MetricType::counter, {"cache", "tier", "result"});
    auto loads = family("tachyon_cache_loads_total",
                        "Loader calls after a miss by outcome (ok, error, stale_if_error: served a stale copy).",
                        MetricType::counter, {"cache", "outcome"});
    auto removals = family("tachyon_cache_evictions_total",
                           "Local entries removed, by reason (size, admission, expired, invalidated).",
                           MetricType::counter, {"cache", "reason"});
    auto entries = family("tachyon_cache_entries", "Entries in the local cache.", MetricType::gauge, {"cache"});
    auto bytes = family("tachyon_cache_bytes", "Bytes charged to the local cache.", MetricType::gauge, {"cache"});
    auto capacity =
        family("tachyon_cache_capacity_bytes", "Byte budget of the local cache.", MetricType::gauge, {"cache"});
    auto remote =
        family("tachyon_cache_redis_operations_total",
               "Redis tier operations by result (fill, refused_fill: lost to an invalidation, error, lock_wait).",
               MetricType::counter, {"cache", "result"});
    for (const auto& space : alive->namespaces()) {
      const std::string& name = space->policy().name;
      LocalCacheStats local = space->local().stats();
      const CacheNamespace::RemoteStats& counters = space->counters();
      add(lookups, {name, "local", "hit"}, static_cast<double>(local.hits));
      add(lookups, {name, "local", "stale"}, static_cast<double>(local.stale_hits));
      add(lookups, {name, "local", "miss"}, static_cast<double>(local.misses));
      if (alive->redis_configured() && space->policy().shared) {
        add(lookups, {name, "redis", "hit"}, read(counters.hits));
        add(lookups, {name, "redis", "miss"}, read(counters.misses));
        add(remote, {name, "fill"}, read(counters.fills));
        add(remote, {name, "refused_fill"}, read(counters.refused_fills));
        add(remote, {name, "error"}, read(counters.errors));
        add(remote, {name, "lock_wait"}, read(counters.lock_waits));
      }
      add(loads, {name, "ok"}, read(counters.loads) - read(counters.load_failures));
      add(loads, {name, "error"}, read(counters.load_failures) - read(counters.stale_if_error));
      add(loads, {name, "stale_if_error"}, read(counters.stale_if_error));
      add(removals, {name, "size"}, static_cast<double>(local.evictions));
      add(removals, {name, "admission"}, static_cast<double>(local.rejected));
      add(removals, {name, "expired"}, static_cast<double>(local.expirations));
      add(removals, {name, "invalidated"}, static_cast<double>(local.invalidations));
      add(entries, {name}, static_cast<double>(local.entries));
      add(bytes, {name}, static_cast<double>(local.bytes));
      add(capacity, {name}, static_cast<double>(local.capacity_bytes));
    }
    for (FamilySnapshot* each : {&lookups, &loads, &removals, &entries, &bytes, &capacity})
      out.push_back(std::move(*each));
    if (!remote.series.empty()) out.push_back(std::move(remote));
    auto configured = family("tachyon_cache_redis_configured", "1 when REDIS_URL is set.", MetricType::gauge, {});
    add(configured, {}, alive->redis_configured() ? 1 : 0);
    out.push_back(std::move(configured));
    auto up =
        family("tachyon_cache_redis_up",
               "1 while this instance can publish and hears cache invalidations through Redis.", MetricType::gauge, {});
    add(up, {}, alive->redis_connected() ? 1 : 0);
    out.push_back(std::move(up));
    if (alive->redis_configured()) {
      TieredCache::SyncStats sync = alive->sync_stats();
      auto invalidations = family("tachyon_cache_invalidations_total",
                                  "Invalidations this instance published by result (published, failed, "
                                  "acknowledgement_timeout), and received from any instance.",
                                  MetricType::counter, {"result"});
      add(invalidations, {"published"}, static_cast<double>(sync.published));
      add(invalidations, {"failed"}, static_cast<double>(sync.publish_failures));
      add(invalidations, {"acknowledgement_timeout"}, static_cast<double>(sync.acknowledgement_timeouts));
      add(invalidations, {"received"}, static_cast<double>(sync.received));
      add(invalidations, {"resync"}, static_cast<double>(sync.resyncs));
      out.push_back(std::move(invalidations));
    }
  });
}

}  // namespace tachyon::cache
