// The eviction policies' cost per operation under the store's lock: a hit (reordering) and a miss
// (sketch update, insertion and the eviction it causes), in a full cache of 100,000 entries; W-TinyLFU
// also with Caffeine's hill climber, and in a cache of 1,000 entries where the window's miniature
// simulation replays every access (its worst case: the sampling rate is 1).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "tachyon/cache/policy.hpp"
#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace {

using tachyon::cache::PolicyKind;
using tachyon::cache::Slot;
using tachyon::cache::WindowAdaptation;

constexpr std::uint64_t large = 100000;
constexpr std::uint64_t small = 1000;

struct Setup {
  PolicyKind kind;
  std::uint64_t entries = large;
  bool hill_climbing = false;  // W-TinyLFU only
};

std::uint64_t hash_of(std::uint64_t key) {
  key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
  key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
  return key ^ (key >> 31);
}

// A full policy: slots 0..entries-1 hold keys 0..entries-1, each looked up a few times.
std::unique_ptr<tachyon::cache::EvictionPolicy> full_policy(const Setup& setup) {
  const std::uint64_t entries = setup.entries;
  std::unique_ptr<tachyon::cache::EvictionPolicy> policy =
      setup.hill_climbing
          ? std::make_unique<tachyon::cache::WTinyLfuPolicy>(entries, 0.01, WindowAdaptation::hill_climbing)
          : tachyon::cache::make_policy(setup.kind, entries);
  std::vector<Slot> evicted;
  for (Slot slot = 0; slot < entries; ++slot) {
    policy->record_lookup(hash_of(slot));
    policy->on_insert(slot, hash_of(slot), 1, evicted);
  }
  for (Slot slot = 0; slot < entries; ++slot) policy->record_lookup(hash_of(slot));
  return policy;
}

void on_hit(benchmark::State& state, Setup setup) {
  auto policy = full_policy(setup);
  const std::uint64_t entries = setup.entries;
  // Hits on residents in a skewed random order (the min of two uniforms), precomputed.
  std::mt19937 random(1);
  std::vector<Slot> order(1 << 16);
  for (Slot& slot : order) slot = static_cast<Slot>(std::min(random() % entries, random() % entries));
  std::size_t next = 0;
  for (auto _ : state) {
    Slot slot = order[next++ & (order.size() - 1)];
    policy->record_lookup(hash_of(slot));
    policy->on_hit(slot);
  }
  state.SetItemsProcessed(state.iterations());
}

void on_insert(benchmark::State& state, Setup setup) {
  auto policy = full_policy(setup);
  const std::uint64_t entries = setup.entries;
  std::vector<Slot> evicted;
  std::vector<Slot> free_slots;
  std::uint64_t key = entries;
  for (auto _ : state) {
    // A miss on a key never seen: the lookup, the insertion, and one eviction (maybe the newcomer).
    Slot slot = free_slots.empty() ? static_cast<Slot>(entries) : free_slots.back();
    if (!free_slots.empty()) free_slots.pop_back();
    std::uint64_t hash = hash_of(key++);
    policy->record_lookup(hash);
    evicted.clear();
    policy->on_insert(slot, hash, 1, evicted);
    free_slots.insert(free_slots.end(), evicted.begin(), evicted.end());
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(on_hit, lru, Setup{PolicyKind::lru});
BENCHMARK_CAPTURE(on_hit, fifo, Setup{PolicyKind::fifo});
BENCHMARK_CAPTURE(on_hit, lfu, Setup{PolicyKind::lfu});
BENCHMARK_CAPTURE(on_hit, w_tinylfu, Setup{PolicyKind::w_tinylfu});
BENCHMARK_CAPTURE(on_hit, w_tinylfu_hill_climbing, Setup{PolicyKind::w_tinylfu, large, true});
BENCHMARK_CAPTURE(on_hit, w_tinylfu_1000_entries, Setup{PolicyKind::w_tinylfu, small});
BENCHMARK_CAPTURE(on_insert, lru, Setup{PolicyKind::lru});
BENCHMARK_CAPTURE(on_insert, fifo, Setup{PolicyKind::fifo});
BENCHMARK_CAPTURE(on_insert, lfu, Setup{PolicyKind::lfu});
BENCHMARK_CAPTURE(on_insert, w_tinylfu, Setup{PolicyKind::w_tinylfu});
BENCHMARK_CAPTURE(on_insert, w_tinylfu_hill_climbing, Setup{PolicyKind::w_tinylfu, large, true});
BENCHMARK_CAPTURE(on_insert, w_tinylfu_1000_entries, Setup{PolicyKind::w_tinylfu, small});

}  // namespace
