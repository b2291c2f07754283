// The shared second level (L2) on Redis: entries stored with their TTL, tag sets, fills that lose to
// a concurrent invalidation, a short per-key lock so one instance of the cluster runs a loader, and
// invalidations published to every instance. One redis::Client per event loop, made on first use (core::PerLoop).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/cache/entry.hpp"
#include "tachyon/core/per_loop.hpp"
#include "tachyon/redis/client.hpp"

namespace tachyon::cache {

struct RedisTierOptions {
  redis::RedisOptions redis;
  std::string prefix = "tachyon:cache:";           // every key this tier writes starts with it
  std::chrono::milliseconds lock_ttl{3000};        // a loader holding the lock longer loses it
  std::chrono::milliseconds tombstone_ttl{10000};  // how long an invalidation still beats older fills
};

// What an L2 lookup found, and Redis' clock when it looked (a fill started then loses to any
// invalidation recorded after it).
struct RemoteLookup {
  std::optional<CacheEntry> entry;
  std::int64_t redis_time_us = 0;
};

// A published invalidation, as every instance receives it.
struct InvalidationMessage {
  std::string origin;  // instance id of the writer
  std::string nonce;   // answered by each receiver on the origin's acknowledgement channel
  std::vector<std::string> keys;
  std::vector<std::string> tags;
};
std::string encode_invalidation(const InvalidationMessage& message);
std::optional<InvalidationMessage> decode_invalidation(std::string_view payload);

class RedisTier {
 public:
  explicit RedisTier(RedisTierOptions options);
  ~RedisTier();

  // The calls below run on the caller's event loop through its own connection. They throw
  // redis::RedisError when Redis cannot be reached, which callers treat as "L2 unavailable".
  boost::asio::awaitable<RemoteLookup> get(std::string key);
  // Stores the entry until its stale-if-error window ends, in the sets of its tags, unless the key or
  // one of its tags was invalidated after `fill_started_us` (Redis time). True when stored.
  boost::asio::awaitable<bool> fill(std::string key, EntryPointer entry, std::int64_t fill_started_us);
  // SET NX PX: true when this caller now holds the key's loader lock; `token` identifies the holder.
  boost::asio::awaitable<bool> try_lock(std::string key, std::string token);
  boost::asio::awaitable<void> unlock(std::string key, std::string token);
  // Deletes the keys and every key of the tags, records tombstones, and publishes `message` to the
  // invalidation channel; returns how many instances received it.
  boost::asio::awaitable<std::int64_t> invalidate(InvalidationMessage message);
  // Publishes an acknowledgement of `nonce` to the origin's channel.
  boost::asio::awaitable<void> acknowledge(std::string origin, std::string nonce);

  // PING through this loop's connection (throws when Redis does not answer in time).
  boost::asio::awaitable<void> ping();
  // DBSIZE, and INFO's used_memory and evicted_keys (what Redis dropped under its maxmemory).
  struct ServerStats {
    std::uint64_t keys = 0;
    std::uint64_t used_memory_bytes = 0;
    std::uint64_t evicted_keys = 0;
  };
  boost::asio::awaitable<ServerStats> server_stats();

  // Makes this thread's connection for `io` now rather than at its first command.
  void connect_on(boost::asio::io_context& io) { clients_.here(io); }
  // True when this thread's connection for `io` is up (false before its first use).
  bool connected_on(boost::asio::io_context& io) const;
  const std::string& invalidation_channel() const { return invalidation_channel_; }
  std::string acknowledgement_channel(std::string_view origin) const;
  const RedisTierOptions& options() const { return options_; }

 private:
  boost::asio::awaitable<redis::Reply> run(std::vector<std::string> arguments);

  RedisTierOptions options_;
  std::string invalidation_channel_;
  core::PerLoop<redis::Client> clients_;
};

}  // namespace tachyon::cache
