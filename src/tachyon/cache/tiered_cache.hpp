// Tiered cache-aside for any service: local (L1) -> Redis (L2, when configured) -> loader. One
// loader call per key per instance at a time (single-flight) and, through a short Redis lock, per
// cluster; stale-while-revalidate and stale-if-error (RFC 5861); invalidation by key and by tag in
// both tiers, published to every instance, which acknowledge before the write is answered, so a
// write is visible to the very next read from any instance.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/cache/entry.hpp"
#include "tachyon/cache/local_cache.hpp"
#include "tachyon/redis/client.hpp"

namespace tachyon::cache {

// How one kind of cached answer (a route) is cached.
struct CachePolicy {
  std::string name;  // keys start with "<name>:"; metrics label
  std::chrono::milliseconds ttl{std::chrono::seconds(60)};
  std::chrono::milliseconds stale_while_revalidate{0};
  std::chrono::milliseconds stale_if_error{0};
  std::uint64_t capacity_bytes = 16ull * 1024 * 1024;  // this policy's own L1 byte budget
  PolicyKind eviction = PolicyKind::w_tinylfu;
  bool shared = true;  // also use the Redis tier when there is one
};

// What a loader produces. Answers that must not be cached (errors) are thrown, not returned:
// http::HttpError below 500 is passed on as it is; anything else may be answered by a stale copy.
struct Loaded {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};
using Loader = std::function<boost::asio::awaitable<Loaded>()>;

enum class Tier { local, redis, origin };
std::string_view to_string(Tier tier);

struct CacheResult {
  EntryPointer entry;
  CacheOutcome outcome = CacheOutcome::miss;
  Tier tier = Tier::origin;
};

// One policy's cache: its L1 and counters. Made by TieredCache::add_namespace.
class CacheNamespace {
 public:
  CacheNamespace(CachePolicy policy);
  const CachePolicy& policy() const { return policy_; }
  LocalCache& local() { return local_; }
  const LocalCache& local() const { return local_; }

  struct RemoteStats {
    std::atomic<std::uint64_t> hits{0}, misses{0}, errors{0}, fills{0}, refused_fills{0};
    std::atomic<std::uint64_t> loads{0}, load_failures{0}, stale_if_error{0}, lock_waits{0};
  };
  RemoteStats& counters() { return counters_; }
  const RemoteStats& counters() const { return counters_; }

 private:
  CachePolicy policy_;
  LocalCache local_;
  RemoteStats counters_;
};

struct TieredCacheOptions {
  std::optional<redis::RedisOptions> redis;  // none: local only
  std::string redis_prefix = "tachyon:cache:";
  std::string instance_id;  // empty: random
  std::chrono::milliseconds lock_ttl{3000};
  std::chrono::milliseconds lock_poll{10};                 // how often a waiting instance looks for the fill
  std::chrono::milliseconds acknowledgement_timeout{250};  // a write waits at most this for others
  std::function<std::int64_t()> clock = wall_now_ms;       // wall-clock milliseconds (tests move it by hand)
};

// What the Redis server says of itself (the admin endpoint shows it).
struct RedisServerStats {
  std::uint64_t keys = 0;
  std::uint64_t used_memory_bytes = 0;
  std::uint64_t evicted_keys = 0;
};

class TieredCache {
 public:
  explicit TieredCache(TieredCacheOptions options);
  ~TieredCache();
  TieredCache(const TieredCache&) = delete;
  TieredCache& operator=(const TieredCache&) = delete;

  // Registers a policy; names are unique. Call before serving.
  CacheNamespace& add_namespace(CachePolicy policy);
  CacheNamespace* find_namespace(std::string_view name);
  const std::vector<std::unique_ptr<CacheNamespace>>& namespaces() const { return namespaces_; }

  // The answer for `key` ("<namespace>:..."), loading it through `loader` on a miss. The loader
  // may run later in the background (a refresh): it must own everything it uses.
  boost::asio::awaitable<CacheResult> fetch(CacheNamespace& space, std::string key, std::vector<std::string> tags,
                                            Loader loader);

  // Drops the keys and every entry of the tags in this instance, in Redis and, through pub/sub, in
  // every other instance; returns once they acknowledged or after acknowledgement_timeout.
  boost::asio::awaitable<void> invalidate(std::vector<std::string> keys, std::vector<std::string> tags);

  // Opens this thread's Redis connection for `io` now, so the loop's first lookups can use it.
  void prepare_loop(boost::asio::io_context& io);

  bool redis_configured() const;
  // Whether this instance hears invalidations from Redis right now (false when not configured).
  bool redis_connected() const;
  const std::string& instance_id() const { return instance_id_; }
  // DBSIZE, used memory and evictions through this loop's connection; nullopt when Redis does not answer.
  boost::asio::awaitable<std::optional<RedisServerStats>> redis_server_stats();

  struct SyncStats {
    std::uint64_t published = 0, publish_failures = 0, received = 0, acknowledgement_timeouts = 0, resyncs = 0;
  };
  SyncStats sync_stats() const;

 private:
  class Sync;
  struct Flights;
  struct Fill;

  boost::asio::awaitable<CacheResult> load_through(CacheNamespace& space, std::string key,
                                                   std::vector<std::string> tags, Loader loader, EntryPointer fallback,
                                                   bool refreshing);
  // load_through's steps (tiered_cache.cpp).
  boost::asio::awaitable<std::optional<CacheResult>> find_shared_or_lock(CacheNamespace& space, const std::string& key,
                                                                         const std::vector<std::string>& tags,
                                                                         const Loader& loader, EntryPointer& fallback,
                                                                         bool refreshing, Fill& fill);
  boost::asio::awaitable<std::optional<CacheResult>> wait_for_other_fill(CacheNamespace& space, const std::string& key,
                                                                         EntryPointer& fallback,
                                                                         const std::string& token, Fill& fill);
  boost::asio::awaitable<void> release_lock_quietly(const std::string& key, Fill& fill);
  CacheResult answer_load_failure(CacheNamespace& space, const std::string& key, const EntryPointer& fallback,
                                  std::exception_ptr failure);
  boost::asio::awaitable<void> share_fill(CacheNamespace& space, const std::string& key, const EntryPointer& entry,
                                          Fill& fill);
  boost::asio::awaitable<std::optional<CacheResult>> look_in_redis(CacheNamespace& space, const std::string& key,
                                                                   const std::function<bool()>& still_valid,
                                                                   bool refreshing, std::int64_t& fill_started_us,
                                                                   EntryPointer& fallback);
  void start_refresh(const boost::asio::any_io_executor& executor, CacheNamespace& space, const std::string& key,
                     const std::vector<std::string>& tags, const Loader& loader);
  EntryPointer make_entry(const CacheNamespace& space, Loaded loaded, std::vector<std::string> tags,
                          std::int64_t now_ms) const;
  void drop_local(const std::vector<std::string>& keys, const std::vector<std::string>& tags);
  void on_invalidation(std::string_view payload);
  void on_resync();

  TieredCacheOptions options_;
  std::string instance_id_;
  std::vector<std::unique_ptr<CacheNamespace>> namespaces_;
  std::unique_ptr<Flights> flights_;
  std::unique_ptr<Sync> sync_;  // Redis tier, subscriber thread and acknowledgements; null without Redis
};

}  // namespace tachyon::cache
