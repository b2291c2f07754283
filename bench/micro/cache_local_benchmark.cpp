// The local cache's hot path: a hit (lookup, freshness check, policy update, shared_ptr copy) and a
// put, per eviction policy, on one thread and on several. Target: >= 20 M hits/s on one thread.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "tachyon/cache/local_cache.hpp"

namespace {

using tachyon::cache::CacheEntry;
using tachyon::cache::EntryPointer;
using tachyon::cache::LocalCache;
using tachyon::cache::LocalCacheOptions;
using tachyon::cache::PolicyKind;

constexpr std::int64_t now_ms = 1'700'000'000'000;
constexpr int key_count = 10'000;

EntryPointer make_entry(std::size_t body_bytes) {
  auto entry = std::make_shared<CacheEntry>();
  entry->body.assign(body_bytes, 'x');
  entry->etag = "\"0123456789abcdef0123456789abcdef\"";
  entry->fresh_until_ms = now_ms + 3'600'000;
  entry->stale_until_ms = entry->error_until_ms = entry->fresh_until_ms;
  return entry;
}

std::vector<std::string> make_keys() {
  std::vector<std::string> keys;
  for (int index = 0; index < key_count; ++index) keys.push_back("products:" + std::to_string(100000 + index));
  return keys;
}

LocalCache& shared_cache(PolicyKind policy) {
  static std::vector<std::unique_ptr<LocalCache>> caches(4);
  auto& cache = caches[static_cast<int>(policy)];
  if (!cache) {
    cache = std::make_unique<LocalCache>(
        LocalCacheOptions{.name = "bench", .capacity_bytes = 256ull << 20, .policy = policy, .shards = 16});
    EntryPointer entry = make_entry(512);
    for (const std::string& key : make_keys()) cache->put(key, entry, now_ms);
  }
  return *cache;
}

// The timed loop of both hit benchmarks: one lookup per iteration, keys in a fixed pseudo-random order.
void run_hits(benchmark::State& state, LocalCache& cache, const std::vector<std::string>& keys, unsigned seed) {
  std::minstd_rand random(seed);
  std::vector<std::uint32_t> order(4096);
  for (std::uint32_t& index : order) index = static_cast<std::uint32_t>(random() % key_count);
  std::size_t next = 0;
  for (auto _ : state) {
    auto found = cache.get(keys[order[next++ & 4095]], now_ms);
    benchmark::DoNotOptimize(found.entry);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(tachyon::cache::to_string(cache.policy())));
}

// Every key resident: each iteration is one hit on a key chosen in a fixed pseudo-random order.
void local_cache_hit(benchmark::State& state) {
  LocalCache& cache = shared_cache(static_cast<PolicyKind>(state.range(0)));
  static const std::vector<std::string> keys = make_keys();
  run_hits(state, cache, keys, static_cast<unsigned>(state.thread_index()) + 1);
}
BENCHMARK(local_cache_hit)->DenseRange(0, 3)->Threads(1);
BENCHMARK(local_cache_hit)->DenseRange(0, 3)->Threads(2)->UseRealTime();

// As local_cache_hit, but the cache is two thirds full rather than 3 %, so W-TinyLFU has sized its
// frequency sketch (it does when half full) and every hit also increments it, as in production. The
// `misses` counter must stay 0: every key still fits.
void local_cache_hit_sized(benchmark::State& state) {
  auto policy = static_cast<PolicyKind>(state.range(0));
  static const std::vector<std::string> keys = make_keys();
  EntryPointer entry = make_entry(512);
  std::uint64_t total_weight = 0;
  for (const std::string& key : keys) total_weight += entry->weight(key);
  LocalCache cache(
      LocalCacheOptions{.name = "bench", .capacity_bytes = total_weight * 3 / 2, .policy = policy, .shards = 16});
  for (const std::string& key : keys) cache.put(key, entry, now_ms);
  run_hits(state, cache, keys, 1);
  state.counters["misses"] = static_cast<double>(cache.stats().misses);
}
BENCHMARK(local_cache_hit_sized)->DenseRange(0, 3);

// Puts into a cache a quarter the size of the key set: every put evicts (or is refused).
void local_cache_put_with_eviction(benchmark::State& state) {
  auto policy = static_cast<PolicyKind>(state.range(0));
  LocalCache cache(LocalCacheOptions{.name = "bench", .capacity_bytes = 2ull << 20, .policy = policy, .shards = 1});
  EntryPointer entry = make_entry(512);
  static const std::vector<std::string> keys = make_keys();
  std::minstd_rand random(7);
  for (auto _ : state) {
    const std::string& key = keys[random() % key_count];
    cache.get(key, now_ms);
    cache.put(key, entry, now_ms);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(tachyon::cache::to_string(policy)));
}
BENCHMARK(local_cache_put_with_eviction)->DenseRange(0, 3);

}  // namespace
