#include "tachyon/cache/tiered_cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "tachyon/cache/invalidation_epochs.hpp"
#include "tachyon/cache/redis_tier.hpp"
#include "tachyon/cache/single_flight.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/etag.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::cache {

namespace asio = boost::asio;

namespace {

std::int64_t milliseconds(std::chrono::milliseconds duration) {
  return duration.count();
}

// Client errors (404, 422) say the answer is gone or never was: no stale copy may stand in for them.
bool is_client_error(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const http::HttpError& error) {
    return error.status() < 500;
  } catch (...) {
    return false;
  }
}

void count(std::atomic<std::uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::local:
      return "local";
    case Tier::redis:
      return "redis";
    case Tier::origin:
      return "origin";
  }
  return "origin";
}

CacheNamespace::CacheNamespace(CachePolicy policy)
    : policy_(std::move(policy)),
      local_(LocalCacheOptions{
          .name = policy_.name, .capacity_bytes = policy_.capacity_bytes, .policy = policy_.eviction}) {}

struct TieredCache::Flights {
  SingleFlight<CacheResult> single;
  InvalidationEpochs epochs;
};

// Everything Redis: the tier, the subscriber on its own thread, and acknowledgement bookkeeping.
class TieredCache::Sync {
 public:
  Sync(TieredCache& owner, const redis::RedisOptions& redis_options)
      : owner_(owner),
        tier_(RedisTierOptions{
            .redis = redis_options, .prefix = owner.options_.redis_prefix, .lock_ttl = owner.options_.lock_ttl}),
        subscriber_(
            io_, redis_options, {tier_.invalidation_channel(), tier_.acknowledgement_channel(owner.instance_id())},
            [this](std::string_view channel, std::string_view payload) { on_message(channel, payload); },
            [this] {
              count(resyncs);
              owner_.on_resync();
            }) {
    subscriber_.start();
    asio::co_spawn(io_, watch_connection(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Sync() {
    asio::post(io_, [this] {
      stopping_ = true;
      watch_timer_.cancel();
      subscriber_.stop();
      // The thread's Redis connection would keep the loop busy; it is destroyed as the thread exits.
      io_.stop();
    });
    thread_.join();
  }

  RedisTier& tier() { return tier_; }
  // Subscribed and able to publish: invalidations reach every instance.
  bool connected() const { return connected_.load(std::memory_order_acquire); }

  // Publishes through this thread's own connection (the one readiness watches), from any loop.
  asio::awaitable<std::int64_t> publish(InvalidationMessage message) {
    asio::awaitable<std::int64_t> operation = tier_.invalidate(std::move(message));
    std::int64_t receivers = co_await asio::co_spawn(io_, std::move(operation), asio::use_awaitable);
    co_return receivers;
  }

  // Registers interest in `nonce` before publishing, so an early acknowledgement is not lost.
  void expect(const std::string& nonce) {
    std::lock_guard lock(mutex_);
    pending_[nonce];
  }
  void forget(const std::string& nonce) {
    std::lock_guard lock(mutex_);
    pending_.erase(nonce);
  }

  // Waits until `receivers` acknowledgements of `nonce` arrived, or `timeout`; true when they did.
  asio::awaitable<bool> wait_for(std::string nonce, std::int64_t receivers, std::chrono::milliseconds timeout) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor, timeout);
    bool acknowledged = co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, bool)>(
        [this, &timer, receivers](auto handler, std::string waited) {
          std::unique_lock lock(mutex_);
          auto found = pending_.find(waited);
          if (found == pending_.end() || found->second.received >= receivers) {
            if (found != pending_.end()) pending_.erase(found);
            lock.unlock();
            auto handler_executor = asio::get_associated_executor(handler);
            asio::post(handler_executor, [handler = std::move(handler)]() mutable { handler(nullptr, true); });
            return;
          }
          found->second.expected = receivers;
          found->second.executor = asio::get_associated_executor(handler);
          found->second.waiter.emplace(std::move(handler));
          timer.async_wait([this, waited](const boost::system::error_code& error) {
            if (error) return;
            complete(waited, false);
          });
        },
        asio::use_awaitable, std::move(nonce));
    co_return acknowledged;
  }

  std::atomic<std::uint64_t> published{0}, publish_failures{0}, received{0}, acknowledgement_timeouts{0}, resyncs{0};

 private:
  struct Pending {
    std::int64_t received = 0;
    std::int64_t expected = -1;
    asio::any_io_executor executor;  // where the waiting writer resumes
    std::optional<asio::any_completion_handler<void(std::exception_ptr, bool)>> waiter;
  };

  void complete(const std::string& nonce, bool acknowledged) {
    std::optional<asio::any_completion_handler<void(std::exception_ptr, bool)>> waiter;
    asio::any_io_executor executor;
    {
      std::lock_guard lock(mutex_);
      auto found = pending_.find(nonce);
      if (found == pending_.end() || !found->second.waiter) return;
      waiter = std::move(found->second.waiter);
      executor = found->second.executor;
      pending_.erase(found);
    }
    asio::post(executor,
               [waiter = std::move(*waiter), acknowledged]() mutable { std::move(waiter)(nullptr, acknowledged); });
  }

  void on_message(std::string_view channel, std::string_view payload) {
    if (channel == tier_.invalidation_channel()) {
      count(received);
      std::optional<InvalidationMessage> message = decode_invalidation(payload);
      if (!message) return;
      owner_.drop_local(message->keys, message->tags);
      asio::co_spawn(io_, acknowledge(std::move(message->origin), std::move(message->nonce)), asio::detached);
      return;
    }
    std::string nonce(payload);
    bool done = false;
    {
      std::lock_guard lock(mutex_);
      auto found = pending_.find(nonce);
      if (found == pending_.end()) return;
      ++found->second.received;
      done = found->second.expected >= 0 && found->second.received >= found->second.expected;
    }
    if (done) complete(nonce, true);
  }

  asio::awaitable<void> acknowledge(std::string origin, std::string nonce) {
    try {
      co_await tier_.acknowledge(std::move(origin), std::move(nonce));
    } catch (const std::exception&) {
      // The origin stops waiting after its timeout; nothing else depends on this answer.
    }
  }

  // Readiness: subscribed, and this thread's connection answers. A PING every second makes a Redis
  // that froze with its connections open show up too (the client drops a connection whose replies are
  // late), which a quiet connection would never notice.
  asio::awaitable<void> watch_connection() {
    tier_.connect_on(io_);
    auto last_ping = std::chrono::steady_clock::now();
    while (!stopping_) {
      connected_.store(subscriber_.connected() && tier_.connected_on(io_), std::memory_order_release);
      if (std::chrono::steady_clock::now() - last_ping >= std::chrono::seconds(1) && tier_.connected_on(io_)) {
        last_ping = std::chrono::steady_clock::now();
        try {
          co_await tier_.ping();
        } catch (const std::exception&) {
          connected_.store(false, std::memory_order_release);
        }
      }
      watch_timer_.expires_after(std::chrono::milliseconds(100));
      boost::system::error_code error;
      co_await watch_timer_.async_wait(asio::redirect_error(asio::use_awaitable, error));
    }
  }

  TieredCache& owner_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  RedisTier tier_;
  redis::Subscriber subscriber_;
  asio::steady_timer watch_timer_{io_};
  bool stopping_ = false;
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::unordered_map<std::string, Pending> pending_;
  std::thread thread_;
};

TieredCache::TieredCache(TieredCacheOptions options)
    : options_(std::move(options)),
      instance_id_(options_.instance_id.empty() ? security::random_hex(8) : options_.instance_id),
      flights_(std::make_unique<Flights>()) {
  if (options_.redis) sync_ = std::make_unique<Sync>(*this, *options_.redis);
}

TieredCache::~TieredCache() = default;

CacheNamespace& TieredCache::add_namespace(CachePolicy policy) {
  if (find_namespace(policy.name) != nullptr) throw std::invalid_argument("cache policy '" + policy.name + "' exists");
  namespaces_.push_back(std::make_unique<CacheNamespace>(std::move(policy)));
  return *namespaces_.back();
}

CacheNamespace* TieredCache::find_namespace(std::string_view name) {
  for (auto& space : namespaces_) {
    if (space->policy().name == name) return space.get();
  }
  return nullptr;
}

void TieredCache::prepare_loop(asio::io_context& io) {
  if (sync_) sync_->tier().connect_on(io);
}

bool TieredCache::redis_configured() const {
  return sync_ != nullptr;
}
bool TieredCache::redis_connected() const {
  return sync_ != nullptr && sync_->connected();
}

TieredCache::SyncStats TieredCache::sync_stats() const {
  if (!sync_) return {};
  return {sync_->published.load(), sync_->publish_failures.load(), sync_->received.load(),
          sync_->acknowledgement_timeouts.load(), sync_->resyncs.load()};
}

asio::awaitable<std::optional<RedisServerStats>> TieredCache::redis_server_stats() {
  if (!sync_) co_return std::nullopt;
  try {
    RedisTier::ServerStats stats = co_await sync_->tier().server_stats();
    co_return RedisServerStats{stats.keys, stats.used_memory_bytes, stats.evicted_keys};
  } catch (const redis::RedisError&) {
    co_return std::nullopt;
  }
}

EntryPointer TieredCache::make_entry(const CacheNamespace& space, Loaded loaded, std::vector<std::string> tags,
                                     std::int64_t now_ms) const {
  const CachePolicy& policy = space.policy();
  auto entry = std::make_shared<CacheEntry>();
  entry->status = loaded.status;
  entry->content_type = std::move(loaded.content_type);
  entry->etag = http::strong_etag(loaded.body);
  entry->body = std::move(loaded.body);
  entry->tags = std::move(tags);
  entry->set_made_at(now_ms);
  entry->fresh_until_ms = now_ms + milliseconds(policy.ttl);
  entry->stale_until_ms = entry->fresh_until_ms + milliseconds(policy.stale_while_revalidate);
  entry->error_until_ms = entry->stale_until_ms + milliseconds(policy.stale_if_error);
  return entry;
}

asio::awaitable<CacheResult> TieredCache::fetch(CacheNamespace& space, std::string key, std::vector<std::string> tags,
                                                Loader loader) {
  LocalLookup local = space.local().get(key, options_.clock());
  if (local.outcome == CacheOutcome::hit) co_return CacheResult{local.entry, CacheOutcome::hit, Tier::local};
  if (local.outcome == CacheOutcome::stale) {
    start_refresh(co_await asio::this_coro::executor, space, key, tags, loader);
    co_return CacheResult{local.entry, CacheOutcome::stale, Tier::local};
  }
  std::string flight_key = key;
  SingleFlight<CacheResult>::Joined joined = co_await flights_->single.join(std::move(flight_key));
  if (!joined.leader) co_return joined.result;
  CacheResult result;
  try {
    result = co_await load_through(space, key, std::move(tags), std::move(loader), local.entry, false);
  } catch (...) {
    flights_->single.fail(key, std::current_exception());
    throw;
  }
  flights_->single.finish(key, result);
  co_return result;
}

void TieredCache::start_refresh(const asio::any_io_executor& executor, CacheNamespace& space, const std::string& key,
                                const std::vector<std::string>& tags, const Loader& loader) {
  if (!flights_->single.try_lead(key)) return;
  auto refresh = [this, &space, key, tags, loader]() -> asio::awaitable<void> {
    try {
      EntryPointer no_fallback;
      CacheResult result = co_await load_through(space, key, tags, loader, std::move(no_fallback), true);
      flights_->single.finish(key, result);
    } catch (const std::exception& error) {
      flights_->single.fail(key, std::current_exception());
      observe::log_warn("cache refresh failed; the stale copy stays",
                        {{"cache", std::string_view(space.policy().name)}, {"error", std::string_view(error.what())}});
    }
  };
  // On the caller's loop: loaders use that loop's database connection and Redis client.
  asio::co_spawn(executor, refresh, asio::detached);
}

asio::awaitable<std::optional<CacheResult>> TieredCache::look_in_redis(CacheNamespace& space, const std::string& key,
                                                                       const std::function<bool()>& still_valid,
                                                                       bool refreshing, std::int64_t& fill_started_us,
                                                                       EntryPointer& fallback) {
  RedisTier& tier = sync_->tier();
  auto& counters = space.counters();
  std::string remote_key = key;
  RemoteLookup remote = co_await tier.get(std::move(remote_key));
  fill_started_us = remote.redis_time_us;
  std::int64_t now = options_.clock();
  if (remote.entry && remote.entry->kept_at(now)) {
    auto entry = std::make_shared<const CacheEntry>(std::move(*remote.entry));
    if (entry->fresh_at(now) || (!refreshing && entry->servable_stale_at(now))) {
      count(counters.hits);
      space.local().put(key, entry, now, still_valid);
      co_return CacheResult{entry, entry->fresh_at(now) ? CacheOutcome::hit : CacheOutcome::stale, Tier::redis};
    }
    if (fallback == nullptr) fallback = entry;
  }
  count(counters.misses);
  co_return std::nullopt;
}

// What one load carries through its steps: the epochs it started from (a fill after an invalidation
// is refused), whether it uses Redis, when the fill started and the fill lock it holds, if any.
struct TieredCache::Fill {
  InvalidationEpochs::Snapshot snapshot;
  std::function<bool()> still_valid;
  bool use_redis = false;
  std::int64_t started_us = 0;
  std::string lock_token;
};

asio::awaitable<CacheResult> TieredCache::load_through(CacheNamespace& space, std::string key,
                                                       std::vector<std::string> tags, Loader loader,
                                                       EntryPointer fallback, bool refreshing) {
  Fill fill;
  fill.snapshot = flights_->epochs.snapshot(key, tags);
  fill.still_valid = [this, &fill] { return flights_->epochs.unchanged(fill.snapshot); };
  fill.use_redis = sync_ != nullptr && space.policy().shared;
  if (fill.use_redis) {
    std::optional<CacheResult> shared =
        co_await find_shared_or_lock(space, key, tags, loader, fallback, refreshing, fill);
    if (shared) co_return *shared;
  }

  count(space.counters().loads);
  Loaded loaded;
  std::exception_ptr failure;
  try {
    loaded = co_await loader();
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await release_lock_quietly(key, fill);
    co_return answer_load_failure(space, key, fallback, failure);
  }

  std::int64_t now = options_.clock();
  EntryPointer entry = make_entry(space, std::move(loaded), std::move(tags), now);
  space.local().put(key, entry, now, fill.still_valid);
  if (fill.use_redis) co_await share_fill(space, key, entry, fill);
  co_return CacheResult{entry, CacheOutcome::miss, Tier::origin};
}

// Redis first: a fresh or stale shared copy answers (a stale one after starting a refresh); otherwise
// this instance takes the fill lock, or waits for the instance holding it to fill. Redis failing turns
// Redis off for this load (L1 and the loader still answer).
asio::awaitable<std::optional<CacheResult>> TieredCache::find_shared_or_lock(
    CacheNamespace& space, const std::string& key, const std::vector<std::string>& tags, const Loader& loader,
    EntryPointer& fallback, bool refreshing, Fill& fill) {
  try {
    std::optional<CacheResult> found =
        co_await look_in_redis(space, key, fill.still_valid, refreshing, fill.started_us, fallback);
    if (found && found->outcome == CacheOutcome::stale) {
      // Answer with the shared stale copy now; refresh once the flight that led here has ended.
      auto executor = co_await asio::this_coro::executor;
      auto later = [this, executor, &space, key, tags, loader]() -> asio::awaitable<void> {
        start_refresh(executor, space, key, tags, loader);
        co_return;
      };
      asio::co_spawn(executor, later, asio::detached);
      co_return found;
    }
    if (found) co_return found;
    std::string token = security::random_hex(8);
    std::string lock_key = key;
    if (co_await sync_->tier().try_lock(std::move(lock_key), token)) {
      fill.lock_token = std::move(token);
      co_return std::nullopt;
    }
    co_return co_await wait_for_other_fill(space, key, fallback, token, fill);
  } catch (const redis::RedisError&) {
    count(space.counters().errors);
    fill.use_redis = false;
  }
  co_return std::nullopt;
}

// Another instance holds the fill lock: look for its fill every lock_poll, and take the lock when it is
// released (or expires) without one. Gives up after lock_ttl and loads anyway.
asio::awaitable<std::optional<CacheResult>> TieredCache::wait_for_other_fill(CacheNamespace& space,
                                                                             const std::string& key,
                                                                             EntryPointer& fallback,
                                                                             const std::string& token, Fill& fill) {
  count(space.counters().lock_waits);
  asio::steady_timer pause(co_await asio::this_coro::executor);
  auto give_up = std::chrono::steady_clock::now() + options_.lock_ttl;
  while (std::chrono::steady_clock::now() < give_up) {
    pause.expires_after(options_.lock_poll);
    co_await pause.async_wait(asio::use_awaitable);
    std::optional<CacheResult> found =
        co_await look_in_redis(space, key, fill.still_valid, true, fill.started_us, fallback);
    if (found) co_return found;
    std::string retry_key = key;
    std::string retry_token = token;
    if (co_await sync_->tier().try_lock(std::move(retry_key), std::move(retry_token))) {
      fill.lock_token = token;
      break;
    }
  }
  co_return std::nullopt;
}

asio::awaitable<void> TieredCache::release_lock_quietly(const std::string& key, Fill& fill) {
  if (fill.lock_token.empty()) co_return;
  try {
    std::string unlock_key = key;
    co_await sync_->tier().unlock(std::move(unlock_key), std::move(fill.lock_token));
  } catch (const redis::RedisError&) {
  }
}

// A client error (4xx) is passed on and the key forgotten; anything else is answered by a copy kept
// for stale-if-error, if there is one, or passed on.
CacheResult TieredCache::answer_load_failure(CacheNamespace& space, const std::string& key,
                                             const EntryPointer& fallback, std::exception_ptr failure) {
  count(space.counters().load_failures);
  if (is_client_error(failure)) {
    space.local().remove(key);
    std::rethrow_exception(failure);
  }
  if (fallback != nullptr && fallback->kept_at(options_.clock())) {
    count(space.counters().stale_if_error);
    return CacheResult{fallback, CacheOutcome::stale, Tier::local};
  }
  std::rethrow_exception(failure);
}

// Offers the new entry to Redis unless an invalidation came meanwhile, then releases the fill lock.
asio::awaitable<void> TieredCache::share_fill(CacheNamespace& space, const std::string& key, const EntryPointer& entry,
                                              Fill& fill) {
  auto& counters = space.counters();
  try {
    if (fill.still_valid()) {
      std::string fill_key = key;
      bool stored = co_await sync_->tier().fill(std::move(fill_key), entry, fill.started_us);
      count(stored ? counters.fills : counters.refused_fills);
    }
    if (!fill.lock_token.empty()) {
      std::string unlock_key = key;
      co_await sync_->tier().unlock(std::move(unlock_key), std::move(fill.lock_token));
    }
  } catch (const redis::RedisError&) {
    count(counters.errors);
  }
}

void TieredCache::drop_local(const std::vector<std::string>& keys, const std::vector<std::string>& tags) {
  // Epochs move first, then entries go: a fill checks its epochs under the shard lock that removal
  // takes after this, so either the fill sees the new epoch or its entry is removed here.
  for (const std::string& key : keys) flights_->epochs.bump_key(key);
  for (const std::string& tag : tags) flights_->epochs.bump_tag(tag);
  for (const std::string& key : keys) {
    std::size_t colon = key.find(':');
    CacheNamespace* space = find_namespace(std::string_view(key).substr(0, colon));
    if (space != nullptr) space->local().remove(key);
  }
  for (const std::string& tag : tags) {
    for (auto& space : namespaces_) space->local().remove_tag(tag);
  }
}

void TieredCache::on_resync() {
  // Invalidations may have been published while this instance could not hear them.
  flights_->epochs.bump_all();
  for (auto& space : namespaces_) {
    if (space->policy().shared) space->local().clear();
  }
  observe::log_warn("cache: reconnected to Redis; dropped shared local entries that may have missed invalidations");
}

asio::awaitable<void> TieredCache::invalidate(std::vector<std::string> keys, std::vector<std::string> tags) {
  drop_local(keys, tags);
  if (!sync_) co_return;
  InvalidationMessage message{instance_id_, security::random_hex(8), std::move(keys), std::move(tags)};
  std::string nonce = message.nonce;
  sync_->expect(nonce);
  std::int64_t receivers = 0;
  try {
    receivers = co_await sync_->publish(std::move(message));
    count(sync_->published);
  } catch (const redis::RedisError& error) {
    sync_->forget(nonce);
    count(sync_->publish_failures);
    observe::log_warn("cache: invalidation not published; other instances keep their copies until TTL",
                      {{"error", std::string_view(error.what())}});
    co_return;
  }
  bool acknowledged = co_await sync_->wait_for(std::move(nonce), receivers, options_.acknowledgement_timeout);
  if (!acknowledged) count(sync_->acknowledgement_timeouts);
}

}  // namespace tachyon::cache
