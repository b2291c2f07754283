#include "tachyon/cache/admin_routes.hpp"

#include <boost/asio/this_coro.hpp>

#include "tachyon/http/errors.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::cache {

namespace {

namespace asio = boost::asio;

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

void write_local(json::JsonWriter& writer, const LocalCacheStats& stats) {
  writer.begin_object();
  writer.field("entries", stats.entries);
  writer.field("bytes", stats.bytes);
  writer.field("capacity_bytes", stats.capacity_bytes);
  writer.field("hits", stats.hits);
  writer.field("stale_hits", stats.stale_hits);
  writer.field("misses", stats.misses);
  writer.field("hit_ratio", ratio(stats.hits + stats.stale_hits, stats.hits + stats.stale_hits + stats.misses));
  writer.field("evictions", stats.evictions);
  writer.field("rejected_by_admission", stats.rejected);
  writer.field("expirations", stats.expirations);
  writer.field("invalidations", stats.invalidations);
  writer.end_object();
}

void write_remote(json::JsonWriter& writer, const CacheNamespace::RemoteStats& counters) {
  std::uint64_t hits = counters.hits.load();
  std::uint64_t misses = counters.misses.load();
  writer.begin_object();
  writer.field("hits", hits);
  writer.field("misses", misses);
  writer.field("hit_ratio", ratio(hits, hits + misses));
  writer.field("fills", counters.fills.load());
  writer.field("fills_refused_by_invalidation", counters.refused_fills.load());
  writer.field("errors", counters.errors.load());
  writer.end_object();
}

asio::awaitable<void> show(http::Context& context, TieredCache& cache) {
  std::optional<RedisServerStats> server;
  if (cache.redis_connected()) server = co_await cache.redis_server_stats();
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.field("instance_id", std::string_view(cache.instance_id()));
  writer.key("redis");
  writer.begin_object();
  writer.field("configured", cache.redis_configured());
  writer.field("connected", cache.redis_connected());
  if (server) {
    writer.field("keys", server->keys);
    writer.field("used_memory_bytes", server->used_memory_bytes);
    writer.field("evicted_keys", server->evicted_keys);
  }
  writer.end_object();
  writer.key("caches");
  writer.begin_array();
  for (const auto& space : cache.namespaces()) {
    const CachePolicy& policy = space->policy();
    writer.begin_object();
    writer.field("name", std::string_view(policy.name));
    writer.field("policy", to_string(policy.eviction));
    writer.field("ttl_seconds", static_cast<double>(policy.ttl.count()) / 1000.0);
    writer.field("stale_while_revalidate_seconds", static_cast<double>(policy.stale_while_revalidate.count()) / 1000.0);
    writer.field("stale_if_error_seconds", static_cast<double>(policy.stale_if_error.count()) / 1000.0);
    writer.key("local");
    write_local(writer, space->local().stats());
    if (cache.redis_configured() && policy.shared) {
      writer.key("redis");
      write_remote(writer, space->counters());
    }
    const CacheNamespace::RemoteStats& counters = space->counters();
    writer.field("loads", counters.loads.load());
    writer.field("load_failures", counters.load_failures.load());
    writer.field("served_stale_on_error", counters.stale_if_error.load());
    writer.end_object();
  }
  writer.end_array();
  writer.end_object();
}

asio::awaitable<void> invalidate(http::Context& context, TieredCache& cache, CdnPurger* cdn) {
  std::optional<std::string> key = context.request.query_param("key");
  std::optional<std::string> tag = context.request.query_param("tag");
  if ((!key || key->empty()) && (!tag || tag->empty())) {
    throw http::HttpError(422, "say what to invalidate",
                          {{"key", "give key=<cache key> or tag=<tag> (or both)"}, {"tag", "give key or tag"}});
  }
  std::vector<std::string> keys;
  std::vector<std::string> tags;
  if (key && !key->empty()) keys.push_back(*key);
  if (tag && !tag->empty()) tags.push_back(*tag);
  std::vector<std::string> invalidated_keys = keys;
  std::vector<std::string> invalidated_tags = tags;
  if (cdn != nullptr) {
    std::vector<std::string> names = invalidated_keys;
    names.insert(names.end(), invalidated_tags.begin(), invalidated_tags.end());
    auto loop = co_await asio::this_coro::executor;
    cdn->purge(loop, std::move(names));
  }
  co_await cache.invalidate(std::move(keys), std::move(tags));
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.key("invalidated");
  writer.begin_object();
  writer.key("keys");
  writer.begin_array();
  for (const std::string& each : invalidated_keys) writer.value(std::string_view(each));
  writer.end_array();
  writer.key("tags");
  writer.begin_array();
  for (const std::string& each : invalidated_tags) writer.value(std::string_view(each));
  writer.end_array();
  writer.end_object();
  writer.end_object();
}

}  // namespace

void add_cache_admin_routes(http::Router& router, std::shared_ptr<TieredCache> cache, std::shared_ptr<CdnPurger> cdn) {
  router.get("/v1/admin/cache", [cache](http::Context& context) { return show(context, *cache); })
      .name("cache_stats")
      .tags({"admin"})
      .requires_scopes({"admin"})
      .summary("Cache statistics per cache and tier");
  router.del("/v1/admin/cache", [cache, cdn](http::Context& context) { return invalidate(context, *cache, cdn.get()); })
      .name("cache_invalidate")
      .tags({"admin"})
      .requires_scopes({"admin"})
      .summary("Invalidate a cache key or tag in every tier and instance, and purge it from the CDN when one is set")
      .query_parameter("key", "string", "A cache key, e.g. products:id:42")
      .query_parameter("tag", "string", "A tag, e.g. products:list");
}

}  // namespace tachyon::cache
