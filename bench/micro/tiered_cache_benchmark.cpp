// TieredCache::fetch per call: a miss (TieredCache::load_through: the loader, the L1 put and, with
// Redis, the lookup, the fill lock, the fill and the unlock) and an L1 hit, local only and, when
// REDIS_URL is set, with that redis-server as L2. The iteration counts are fixed so that
// `valgrind --tool=callgrind --toggle-collect='*fetch(benchmark::State*'` gives repeatable instructions per call
// (set-up included, spread over the calls; bench/cache_callgrind.sh).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/redis/client.hpp"

namespace {

namespace asio = boost::asio;
using tachyon::cache::CacheNamespace;
using tachyon::cache::TieredCache;

const std::string body(400, 'x');  // an Acme product is ~200-400 bytes of JSON

// Every call asks for a new key when `miss`, else the same one.
asio::awaitable<void> fetch_loop(benchmark::State& state, TieredCache& cache, CacheNamespace& space, bool miss) {
  std::uint64_t next = 0;
  for (auto _ : state) {
    std::string key = "bench:" + std::to_string(miss ? next++ : 0);
    std::vector<std::string> tags{"bench:list"};
    tachyon::cache::Loader loader = []() -> asio::awaitable<tachyon::cache::Loaded> {
      tachyon::cache::Loaded loaded;
      loaded.body = body;
      co_return loaded;
    };
    tachyon::cache::CacheResult result =
        co_await cache.fetch(space, std::move(key), std::move(tags), std::move(loader));
    benchmark::DoNotOptimize(result);
  }
}

void fetch(benchmark::State& state, bool with_redis, bool miss) {
  tachyon::cache::TieredCacheOptions options;
  if (with_redis) {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr) {
      state.SkipWithError("set REDIS_URL for the Redis tier");
      return;
    }
    options.redis = tachyon::redis::parse_redis_url(url);
  }
  TieredCache cache(std::move(options));
  CacheNamespace& space = cache.add_namespace({.name = "bench", .capacity_bytes = 1ull << 30});
  asio::io_context io(1);
  cache.prepare_loop(io);
  for (int turn = 0; with_redis && turn < 1000 && !cache.redis_connected(); ++turn) {
    io.run_for(std::chrono::milliseconds(5));
  }
  if (with_redis && !cache.redis_connected()) {
    state.SkipWithError("cannot connect to REDIS_URL");
    return;
  }
  asio::co_spawn(io, fetch_loop(state, cache, space, miss), asio::detached);
  io.run();
}

BENCHMARK_CAPTURE(fetch, local_miss, false, true)->Iterations(20000);
BENCHMARK_CAPTURE(fetch, local_hit, false, false)->Iterations(20000);
BENCHMARK_CAPTURE(fetch, redis_miss, true, true)->Iterations(5000)->UseRealTime();
BENCHMARK_CAPTURE(fetch, redis_hit, true, false)->Iterations(20000)->UseRealTime();

}  // namespace
