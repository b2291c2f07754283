// The tiered cache in one process (no Redis): single-flight, stale-while-revalidate, stale-if-error,
// invalidation by key and tag, and fills that lose to a concurrent invalidation. A hand-moved clock
// makes every expiry exact.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "tachyon/cache/single_flight.hpp"
#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/http/errors.hpp"

namespace tachyon::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class TieredCacheTest : public ::testing::Test {
 protected:
  TieredCacheTest()
      : cache_(TieredCacheOptions{.clock = [this] { return now_ms_.load(); }}),
        space_(cache_.add_namespace(CachePolicy{.name = "things",
                                                .ttl = 10s,
                                                .stale_while_revalidate = 5s,
                                                .stale_if_error = 60s,
                                                .capacity_bytes = 1 << 20})) {}

  // A loader that counts its calls and answers "<prefix><call number>".
  Loader counting_loader(std::string prefix = "v") {
    return [this, prefix]() -> asio::awaitable<Loaded> {
      int call = ++loads_;
      Loaded loaded;
      loaded.body = prefix + std::to_string(call);
      co_return loaded;
    };
  }

  CacheResult fetch(std::string key, Loader loader, std::vector<std::string> tags = {}) {
    std::optional<CacheResult> result;
    std::exception_ptr failure;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          try {
            result = co_await cache_.fetch(space_, std::move(key), std::move(tags), std::move(loader));
          } catch (...) {
            failure = std::current_exception();
          }
        },
        asio::detached);
    io_.restart();
    io_.run();
    if (failure) std::rethrow_exception(failure);
    return *result;
  }

  void invalidate(std::vector<std::string> keys, std::vector<std::string> tags) {
    asio::co_spawn(io_, cache_.invalidate(std::move(keys), std::move(tags)), asio::detached);
    io_.restart();
    io_.run();
  }

  std::atomic<std::int64_t> now_ms_{1'700'000'000'000};
  std::atomic<int> loads_{0};
  asio::io_context io_;
  TieredCache cache_;
  CacheNamespace& space_;
};

TEST_F(TieredCacheTest, AMissLoadsOnceAndTheNextLookupHits) {
  CacheResult first = fetch("things:1", counting_loader());
  EXPECT_EQ(first.outcome, CacheOutcome::miss);
  EXPECT_EQ(first.entry->body, "v1");
  EXPECT_FALSE(first.entry->etag.empty());
  CacheResult second = fetch("things:1", counting_loader());
  EXPECT_EQ(second.outcome, CacheOutcome::hit);
  EXPECT_EQ(second.tier, Tier::local);
  EXPECT_EQ(second.entry->body, "v1");
  EXPECT_EQ(loads_, 1);
}

TEST_F(TieredCacheTest, ConcurrentMissesRunTheLoaderOnce) {
  Loader slow = [this]() -> asio::awaitable<Loaded> {
    ++loads_;
    asio::steady_timer pause(co_await asio::this_coro::executor, 20ms);
    co_await pause.async_wait(asio::use_awaitable);
    co_return Loaded{.body = "shared"};
  };
  std::vector<std::string> bodies;
  for (int index = 0; index < 50; ++index) {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          // Named arguments: GCC 12 mishandles temporaries inside co_await (see db/database.hpp).
          std::string key = "things:hot";
          std::vector<std::string> tags;
          Loader loader = slow;
          CacheResult result = co_await cache_.fetch(space_, std::move(key), std::move(tags), std::move(loader));
          bodies.push_back(result.entry->body);
        },
        asio::detached);
  }
  io_.run();
  EXPECT_EQ(loads_, 1);
  ASSERT_EQ(bodies.size(), 50u);
  for (const std::string& body : bodies) EXPECT_EQ(body, "shared");
}

TEST_F(TieredCacheTest, AFailedLoadFailsEveryWaiterAndIsNotCached) {
  Loader failing = [this]() -> asio::awaitable<Loaded> {
    ++loads_;
    throw http::HttpError(404, "no such thing");
    co_return Loaded{};
  };
  EXPECT_THROW(fetch("things:404", failing), http::HttpError);
  EXPECT_THROW(fetch("things:404", failing), http::HttpError);
  EXPECT_EQ(loads_, 2);
}

TEST_F(TieredCacheTest, AfterTheTtlItServesStaleAtOnceAndRefreshesOnce) {
  fetch("things:1", counting_loader());
  now_ms_ += 11'000;  // past the TTL, inside the stale window
  CacheResult stale = fetch("things:1", counting_loader());
  EXPECT_EQ(stale.outcome, CacheOutcome::stale);
  EXPECT_EQ(stale.entry->body, "v1");
  EXPECT_EQ(loads_, 2) << "one background refresh ran";
  CacheResult refreshed = fetch("things:1", counting_loader());
  EXPECT_EQ(refreshed.outcome, CacheOutcome::hit);
  EXPECT_EQ(refreshed.entry->body, "v2");
  EXPECT_EQ(loads_, 2);
}

TEST_F(TieredCacheTest, AfterTheStaleWindowItLoadsBeforeAnswering) {
  fetch("things:1", counting_loader());
  now_ms_ += 16'000;
  CacheResult result = fetch("things:1", counting_loader());
  EXPECT_EQ(result.outcome, CacheOutcome::miss);
  EXPECT_EQ(result.entry->body, "v2");
}

TEST_F(TieredCacheTest, WhenTheOriginFailsItServesTheKeptCopyAsStale) {
  fetch("things:1", counting_loader());
  now_ms_ += 30'000;  // past the stale window, inside stale-if-error
  Loader down = []() -> asio::awaitable<Loaded> {
    throw http::HttpError(502, "upstream unreachable");
    co_return Loaded{};
  };
  CacheResult result = fetch("things:1", down);
  EXPECT_EQ(result.outcome, CacheOutcome::stale);
  EXPECT_EQ(result.entry->body, "v1");
  now_ms_ += 60'000;  // past every window
  EXPECT_THROW(fetch("things:1", down), http::HttpError);
}

TEST_F(TieredCacheTest, AClientErrorFromTheOriginIsNeverAnsweredByAStaleCopy) {
  fetch("things:1", counting_loader());
  now_ms_ += 30'000;
  Loader gone = []() -> asio::awaitable<Loaded> {
    throw http::HttpError(404, "deleted upstream");
    co_return Loaded{};
  };
  EXPECT_THROW(fetch("things:1", gone), http::HttpError);
  EXPECT_EQ(space_.local().stats().entries, 0u);
}

TEST_F(TieredCacheTest, InvalidatingAKeyMakesTheNextReadLoad) {
  fetch("things:1", counting_loader());
  fetch("things:2", counting_loader());
  invalidate({"things:1"}, {});
  EXPECT_EQ(fetch("things:1", counting_loader()).entry->body, "v3");
  EXPECT_EQ(fetch("things:2", counting_loader()).outcome, CacheOutcome::hit);
}

TEST_F(TieredCacheTest, InvalidatingATagDropsEveryEntryCarryingIt) {
  fetch("things:page1", counting_loader(), {"things:list"});
  fetch("things:page2", counting_loader(), {"things:list"});
  fetch("things:7", counting_loader());
  invalidate({}, {"things:list"});
  EXPECT_EQ(fetch("things:page1", counting_loader()).outcome, CacheOutcome::miss);
  EXPECT_EQ(fetch("things:page2", counting_loader()).outcome, CacheOutcome::miss);
  EXPECT_EQ(fetch("things:7", counting_loader()).outcome, CacheOutcome::hit);
}

TEST_F(TieredCacheTest, ALoadThatStartedBeforeAnInvalidationIsAnsweredButNotKept) {
  asio::steady_timer gate(io_, std::chrono::steady_clock::time_point::max());
  Loader racing = [this, &gate]() -> asio::awaitable<Loaded> {
    ++loads_;
    boost::system::error_code ignored;
    co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    co_return Loaded{.body = "read before the write"};
  };
  std::optional<CacheResult> result;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::string key = "things:1";
        std::vector<std::string> tags;
        Loader loader = racing;
        result = co_await cache_.fetch(space_, std::move(key), std::move(tags), std::move(loader));
      },
      asio::detached);
  io_.poll();  // the loader now waits at the gate
  asio::co_spawn(io_, cache_.invalidate({"things:1"}, {}), asio::detached);
  io_.poll();
  gate.cancel();
  io_.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->entry->body, "read before the write");
  EXPECT_EQ(fetch("things:1", counting_loader()).outcome, CacheOutcome::miss);
}

TEST(SingleFlight, FollowersOnAnotherLoopGetTheLeadersResult) {
  SingleFlight<std::string> flights;
  asio::io_context leader_loop;
  asio::io_context follower_loop;
  bool led = false;
  asio::co_spawn(
      leader_loop,
      [&]() -> asio::awaitable<void> {
        std::string key = "key";
        led = (co_await flights.join(std::move(key))).leader;
      },
      asio::detached);
  leader_loop.run();
  ASSERT_TRUE(led);
  std::atomic<int> answered{0};
  std::vector<std::string> results(20);
  for (int index = 0; index < 20; ++index) {
    asio::co_spawn(
        follower_loop,
        [&, index]() -> asio::awaitable<void> {
          std::string key = "key";
          auto joined = co_await flights.join(std::move(key));
          EXPECT_FALSE(joined.leader);
          results[index] = joined.result;
          ++answered;
        },
        asio::detached);
  }
  auto guard = asio::make_work_guard(follower_loop);
  std::thread follower_thread([&] { follower_loop.run(); });
  for (int wait = 0; wait < 5000 && flights.waiting("key") < 20; ++wait) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(flights.waiting("key"), 20u);
  flights.finish("key", "the answer");
  for (int wait = 0; wait < 5000 && answered < 20; ++wait) std::this_thread::sleep_for(1ms);
  guard.reset();
  follower_thread.join();
  EXPECT_EQ(answered, 20);
  for (const std::string& result : results) EXPECT_EQ(result, "the answer");
  EXPECT_EQ(flights.flights(), 0u);
}

}  // namespace
}  // namespace tachyon::cache
