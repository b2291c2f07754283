#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

#include "tachyon/cache/frequency_sketch.hpp"
#include "tachyon/cache/lfu_policy.hpp"
#include "tachyon/cache/policy.hpp"
#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace tachyon::cache {
namespace {

std::uint64_t hash_of(int key) {
  // splitmix64's finalizer: what a store's hash of a key looks like (spread over all 64 bits).
  auto value = static_cast<std::uint64_t>(key) + 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// A store in miniature: keys to dense slots (freed slots reused), driving a policy the way the local
// cache does, and checking on every eviction that the policy named a resident entry.
class MiniStore {
 public:
  MiniStore(PolicyKind kind, std::uint64_t capacity) : policy_(make_policy(kind, capacity)) {}
  explicit MiniStore(std::unique_ptr<EvictionPolicy> policy) : policy_(std::move(policy)) {}

  // A lookup; on a miss the key is inserted with `weight`. Returns whether it was a hit.
  bool access(int key, std::uint64_t weight = 1) {
    policy_->record_lookup(hash_of(key));
    auto found = slot_of_.find(key);
    if (found != slot_of_.end()) {
      policy_->on_hit(found->second);
      return true;
    }
    insert(key, weight);
    return false;
  }

  void insert(int key, std::uint64_t weight) {
    remove(key);
    Slot slot = allocate_slot();
    slot_of_[key] = slot;
    key_of_[slot] = key;
    weight_of_[slot] = weight;
    resident_weight_ += weight;
    evicted_.clear();
    policy_->on_insert(slot, hash_of(key), weight, evicted_);
    for (Slot victim : evicted_) {
      ASSERT_LT(victim, key_of_.size());
      ASSERT_NE(key_of_[victim], free_key) << "the policy evicted a slot that holds nothing";
      evictions_.push_back(key_of_[victim]);
      drop(victim);
    }
  }

  void remove(int key) {
    auto found = slot_of_.find(key);
    if (found == slot_of_.end()) return;
    Slot slot = found->second;
    policy_->on_remove(slot);
    drop(slot);
  }

  bool contains(int key) const { return slot_of_.contains(key); }
  Slot slot_of(int key) const { return slot_of_.at(key); }
  std::uint64_t resident_weight() const { return resident_weight_; }
  std::size_t size() const { return slot_of_.size(); }
  EvictionPolicy& policy() { return *policy_; }
  // Keys evicted since the last call, in the order the policy named them.
  std::vector<int> take_evictions() { return std::exchange(evictions_, {}); }

 private:
  static constexpr int free_key = -1;

  Slot allocate_slot() {
    if (!free_slots_.empty()) {
      Slot slot = free_slots_.back();
      free_slots_.pop_back();
      return slot;
    }
    key_of_.push_back(free_key);
    weight_of_.push_back(0);
    return static_cast<Slot>(key_of_.size() - 1);
  }

  void drop(Slot slot) {
    slot_of_.erase(key_of_[slot]);
    key_of_[slot] = free_key;
    resident_weight_ -= weight_of_[slot];
    free_slots_.push_back(slot);
  }

  std::unique_ptr<EvictionPolicy> policy_;
  std::map<int, Slot> slot_of_;
  std::vector<int> key_of_;
  std::vector<std::uint64_t> weight_of_;
  std::vector<Slot> free_slots_;
  std::vector<Slot> evicted_;
  std::vector<int> evictions_;
  std::uint64_t resident_weight_ = 0;
};

using Keys = std::vector<int>;
constexpr PolicyKind all_kinds[] = {PolicyKind::lru, PolicyKind::lfu, PolicyKind::fifo, PolicyKind::w_tinylfu};

TEST(CachePolicyKind, ParsesEveryNameAndRoundTrips) {
  EXPECT_EQ(parse_policy_kind("lru"), PolicyKind::lru);
  EXPECT_EQ(parse_policy_kind("lfu"), PolicyKind::lfu);
  EXPECT_EQ(parse_policy_kind("fifo"), PolicyKind::fifo);
  EXPECT_EQ(parse_policy_kind("w-tinylfu"), PolicyKind::w_tinylfu);
  EXPECT_EQ(parse_policy_kind("tinylfu"), PolicyKind::w_tinylfu);
  for (PolicyKind kind : all_kinds) {
    EXPECT_EQ(parse_policy_kind(to_string(kind)), kind);
    EXPECT_EQ(make_policy(kind, 10)->kind(), kind);
  }
}

TEST(CachePolicyKind, RejectsUnknownNames) {
  for (const char* name : {"", "LRU", "arc", "w_tinylfu", "lru "}) {
    EXPECT_THROW(parse_policy_kind(name), std::invalid_argument) << name;
  }
}

TEST(CacheLruPolicy, EvictsTheLeastRecentlyUsedEntry) {
  MiniStore store(PolicyKind::lru, 3);
  for (int key : {1, 2, 3}) store.access(key);
  EXPECT_TRUE(store.access(1));  // order of recency now 2, 3, 1
  store.access(4);
  EXPECT_EQ(store.take_evictions(), Keys{2});
  EXPECT_TRUE(store.access(3));  // 1, 4, 3
  store.access(5);
  store.access(6);
  EXPECT_EQ(store.take_evictions(), (Keys{1, 4}));
  EXPECT_TRUE(store.contains(3) && store.contains(5) && store.contains(6));
}

TEST(CacheFifoPolicy, EvictsInInsertionOrderWhateverTheHits) {
  MiniStore store(PolicyKind::fifo, 3);
  for (int key : {1, 2, 3}) store.access(key);
  for (int round = 0; round < 5; ++round) EXPECT_TRUE(store.access(1));
  store.access(4);
  store.access(5);
  EXPECT_EQ(store.take_evictions(), (Keys{1, 2}));
}

TEST(CacheLruPolicy, EvictsAsManyEntriesAsTheNewWeightNeeds) {
  MiniStore store(PolicyKind::lru, 100);
  for (int key = 1; key <= 10; ++key) store.access(key, 10);
  store.access(11, 35);
  EXPECT_EQ(store.take_evictions(), (Keys{1, 2, 3, 4}));
  EXPECT_EQ(store.policy().weight(), 95u);
}

TEST(CacheEvictionPolicy, EvictsAnEntryHeavierThanTheCapacityAtOnceAndKeepsTheRest) {
  for (PolicyKind kind : all_kinds) {
    MiniStore store(kind, 100);
    for (int key = 1; key <= 4; ++key) store.access(key, 20);
    store.access(99, 101);
    EXPECT_EQ(store.take_evictions(), Keys{99}) << to_string(kind);
    EXPECT_FALSE(store.contains(99));
    EXPECT_EQ(store.size(), 4u) << to_string(kind);
    EXPECT_EQ(store.policy().weight(), 80u) << to_string(kind);
  }
}

TEST(CacheEvictionPolicy, ForgetsARemovedEntryAndItsWeight) {
  for (PolicyKind kind : all_kinds) {
    MiniStore store(kind, 3);
    for (int key : {1, 2, 3}) store.access(key);
    Slot removed = store.slot_of(2);
    store.remove(2);
    EXPECT_EQ(store.policy().weight(), 2u) << to_string(kind);
    store.policy().on_remove(removed);  // already removed: ignored
    store.policy().on_remove(12345);    // never used: ignored
    EXPECT_EQ(store.policy().weight(), 2u) << to_string(kind);
    store.access(4);  // fits in the freed room
    EXPECT_TRUE(store.take_evictions().empty()) << to_string(kind);
    EXPECT_EQ(store.policy().weight(), 3u) << to_string(kind);
  }
}

TEST(CacheLfuPolicy, EvictsTheLeastFrequentlyUsedEntryTiesByRecency) {
  MiniStore store(PolicyKind::lfu, 3);
  for (int key : {1, 2, 3}) store.access(key);
  for (int round = 0; round < 3; ++round) store.access(1);
  store.access(3);
  store.access(4);  // 2 has the fewest uses
  EXPECT_EQ(store.take_evictions(), Keys{2});
  store.access(4);  // now 3 and 4 have the same count; 3 got it first
  store.access(5);
  EXPECT_EQ(store.take_evictions(), Keys{3});
  EXPECT_TRUE(store.contains(1));
}

TEST(CacheLfuPolicy, AgingEventuallyEvictsAnEntryPopularLongAgo) {
  MiniStore store(PolicyKind::lfu, 3);
  for (int round = 0; round < 10; ++round) store.access(1);  // count 10, then never again
  int evicted_after = -1;
  for (int key = 100; key < 140 && evicted_after < 0; ++key) {
    store.access(key);  // each newcomer used twice
    store.access(key);
    if (!store.contains(1)) evicted_after = key - 100;
  }
  // Without aging key 1 would stay forever (no other entry ever reaches 10 uses).
  EXPECT_GT(evicted_after, 0);
  EXPECT_LE(evicted_after, 12);
  auto& lfu = dynamic_cast<LfuPolicy&>(store.policy());
  EXPECT_GE(lfu.age(), 10u);
}

TEST(CacheWTinyLfuPolicy, RefusesOneHitWondersAgainstPopularEntries) {
  // A 1-entry window that stays so: what is left to see is the admission filter's work.
  MiniStore store(std::make_unique<WTinyLfuPolicy>(100, 0.01, WindowAdaptation::fixed));
  for (int round = 0; round < 6; ++round) {
    for (int key = 0; key < 100; ++key) store.access(key);
  }
  store.take_evictions();
  for (int key = 1000; key < 1200; ++key) EXPECT_FALSE(store.access(key));
  int popular = 0;
  int wonders = 0;
  for (int key = 0; key < 100; ++key) popular += store.contains(key) ? 1 : 0;
  for (int key = 1000; key < 1200; ++key) wonders += store.contains(key) ? 1 : 0;
  EXPECT_GE(popular, 99);  // at most the one popular entry that sat in the 1-entry window
  EXPECT_LE(wonders, 1);   // the newest, still in the window
  // The same stream through LRU replaces everything.
  MiniStore lru(PolicyKind::lru, 100);
  for (int round = 0; round < 6; ++round) {
    for (int key = 0; key < 100; ++key) lru.access(key);
  }
  for (int key = 1000; key < 1200; ++key) lru.access(key);
  EXPECT_FALSE(lru.contains(0));
}

// Hot keys, each used every 300 accesses, between which a scan of distinct keys goes by: the scan
// flushes them out of an LRU of 100 entries every time, while W-TinyLFU keeps them in its main space.
double hot_hit_ratio_under_scan(PolicyKind kind) {
  MiniStore store(kind, 100);
  int hot_hits = 0;
  int hot_accesses = 0;
  int scan_key = 100000;
  for (int step = 0; step < 30000; ++step) {
    if (step % 10 == 0) {
      bool hit = store.access(step / 10 % 30);
      if (step >= 3000) {
        ++hot_accesses;
        hot_hits += hit ? 1 : 0;
      }
    } else {
      store.access(scan_key++);
    }
  }
  return static_cast<double>(hot_hits) / hot_accesses;
}

TEST(CacheWTinyLfuPolicy, KeepsFrequentEntriesThroughAScan) {
  EXPECT_GT(hot_hit_ratio_under_scan(PolicyKind::w_tinylfu), 0.9);
  EXPECT_LT(hot_hit_ratio_under_scan(PolicyKind::lru), 0.1);
}

// Keys of the stack-distance model: half the time a new key, else one of the 800 most recent keys
// picked uniformly by recency rank (it moves to the front).
class RecencyKeys {
 public:
  explicit RecencyKeys(int first_new_key) : next_key_(first_new_key) {}
  int next(std::mt19937& random) {
    int key;
    if (recent_.size() < 800 || random() % 2 == 0) {
      key = next_key_++;
    } else {
      auto rank = static_cast<std::ptrdiff_t>(random() % recent_.size());
      key = recent_[recent_.size() - 1 - static_cast<std::size_t>(rank)];
      recent_.erase(recent_.end() - 1 - rank);
    }
    recent_.push_back(key);
    if (recent_.size() > 800) recent_.erase(recent_.begin());
    return key;
  }

 private:
  std::vector<int> recent_;  // most recent last
  int next_key_;
};

// A recency workload (the stack-distance model): half the accesses are new keys, half reuse one of
// the 800 most recent keys picked uniformly by recency rank. An LRU of 1000 hits every reuse; with
// a 1 % window W-TinyLFU refuses most new keys (frequency 1 against the victim's history) and so
// misses their reuse. The climber must grow the window towards an LRU.
// Returns the hit ratio of the last third, after the climber had time to adapt (it moves the
// window by at most 6.25 % of the capacity per 10,000 requests).
// weighted: entries of 1..100 bytes (by key) instead of 1.
double recency_workload_hit_ratio(MiniStore& store, bool weighted = false) {
  std::mt19937 random(11);
  RecencyKeys keys(0);
  int hits = 0;
  const int steps = 300000;
  for (int step = 0; step < steps; ++step) {
    int key = keys.next(random);
    bool hit = store.access(key, weighted ? 1 + static_cast<std::uint64_t>(key % 100) : 1);
    if (step >= 2 * steps / 3) hits += hit ? 1 : 0;
  }
  return static_cast<double>(hits) / (steps / 3);
}

// Under the recency workload the window grows past half the cache and the hit ratio comes within 3
// points of an LRU of the same size.
void expect_window_grows_to_match_lru(MiniStore& store, const WTinyLfuPolicy& policy) {
  double hit_ratio = recency_workload_hit_ratio(store);
  MiniStore lru(PolicyKind::lru, 1000);
  double lru_hit_ratio = recency_workload_hit_ratio(lru);
  EXPECT_GT(policy.window_maximum(), 500u);
  EXPECT_GT(hit_ratio, lru_hit_ratio - 0.03) << "LRU " << lru_hit_ratio;
  EXPECT_LE(policy.window_weight(), policy.window_maximum());
}

TEST(CacheWTinyLfuPolicy, GrowsTheWindowWhenRecencyPays) {
  MiniStore store(PolicyKind::w_tinylfu, 1000);
  auto& policy = dynamic_cast<WTinyLfuPolicy&>(store.policy());
  EXPECT_EQ(policy.adaptation(), WindowAdaptation::mini_simulation);
  EXPECT_EQ(policy.window_maximum(), 200u);
  expect_window_grows_to_match_lru(store, policy);
}

// LocalCache's shards: shard 0 leads (runs the miniatures), the others follow its window at their
// next insertion without simulating anything themselves.
TEST(CacheWTinyLfuPolicy, AFollowerTakesTheLeadersWindowAtItsNextInsertion) {
  auto shared = std::make_shared<SharedWindowShare>();
  MiniStore leader_store(PolicyKind::w_tinylfu, 1000);
  MiniStore follower_store(PolicyKind::w_tinylfu, 1000);
  auto& leader = dynamic_cast<WTinyLfuPolicy&>(leader_store.policy());
  auto& follower = dynamic_cast<WTinyLfuPolicy&>(follower_store.policy());
  leader.share_window(shared, true);
  follower.share_window(shared, false);
  for (int key = 0; key < 600; ++key) follower_store.access(key);  // sized, but follows nothing yet
  EXPECT_EQ(follower.window_maximum(), 200u);
  recency_workload_hit_ratio(leader_store);
  ASSERT_GT(leader.window_maximum(), 500u);
  EXPECT_EQ(follower.window_maximum(), 200u);
  follower_store.access(100000);  // a miss: an insertion
  EXPECT_EQ(follower.window_maximum(), leader.window_maximum());
}

// The same in bytes: the miniatures simulate weights too (about 1,000 entries of 50 bytes on average).
TEST(CacheWTinyLfuPolicy, GrowsTheWindowWhenRecencyPaysWithWeightedEntries) {
  MiniStore store(PolicyKind::w_tinylfu, 50000);
  auto& policy = dynamic_cast<WTinyLfuPolicy&>(store.policy());
  recency_workload_hit_ratio(store, true);
  EXPECT_GT(policy.window_maximum(), 25000u);
  EXPECT_LE(policy.window_weight(), policy.window_maximum());
  EXPECT_LE(store.policy().weight(), 50000u);
}

TEST(CacheWTinyLfuPolicy, HillClimberGrowsTheWindowFromOnePercentWhenRecencyPays) {
  MiniStore store(std::make_unique<WTinyLfuPolicy>(1000, 0.01, WindowAdaptation::hill_climbing));
  auto& policy = dynamic_cast<WTinyLfuPolicy&>(store.policy());
  EXPECT_EQ(policy.window_maximum(), 10u);
  expect_window_grows_to_match_lru(store, policy);
}

// Key k with probability about 1/(k+1): a skewed distribution over 100,000 keys.
int zipf_key(std::mt19937& random) {
  double uniform = std::generate_canonical<double, 32>(random);
  return static_cast<int>(std::exp(uniform * std::log(100000.0))) - 1;
}

// Half the accesses Zipf-like, half a loop over 3,000 keys (three times the capacity): frequency is
// what pays. A large window holds loop keys that leave before their next use; a small one lets the
// admission filter keep the Zipf head instead. The window should end small.
TEST(CacheWTinyLfuPolicy, ShrinksTheWindowWhenFrequencyPays) {
  MiniStore store(PolicyKind::w_tinylfu, 1000);
  auto& policy = dynamic_cast<WTinyLfuPolicy&>(store.policy());
  std::uint64_t initial = policy.window_maximum();
  std::mt19937 random(3);
  for (int step = 0; step < 300000; ++step) {
    store.access(random() % 2 == 0 ? 1000000 + step % 3000 : zipf_key(random));
  }
  EXPECT_LT(policy.window_maximum(), initial);
  EXPECT_LE(policy.window_maximum(), 100u);
}

TEST(CacheWTinyLfuPolicy, HillClimberKeepsTheWindowSmallWhenFrequencyPays) {
  MiniStore store(std::make_unique<WTinyLfuPolicy>(1000, 0.01, WindowAdaptation::hill_climbing));
  auto& policy = dynamic_cast<WTinyLfuPolicy&>(store.policy());
  std::mt19937 random(3);
  for (int step = 0; step < 300000; ++step) store.access(zipf_key(random));
  EXPECT_LT(policy.window_maximum(), 100u);
}

// Phases of 60,000 accesses that alternate between the recency workload's pattern (new keys and
// reuse by recency rank; a large window pays) and a Zipf-like one (a small window pays a little).
struct PhaseHitRatios {
  double overall;  // every phase after the first
  double zipf;     // the Zipf-like phases
};

PhaseHitRatios phase_changing_hit_ratios(std::unique_ptr<EvictionPolicy> policy) {
  MiniStore store(std::move(policy));
  std::mt19937 random(5);
  RecencyKeys recency(1000000);
  int hits = 0;
  int zipf_hits = 0;
  const int phase_length = 60000;
  const int phases = 6;
  for (int step = 0; step < phases * phase_length; ++step) {
    bool zipf_phase = (step / phase_length) % 2 == 1;
    int key = zipf_phase ? zipf_key(random) : recency.next(random);
    bool hit = store.access(key);
    if (step >= phase_length) hits += hit ? 1 : 0;
    if (zipf_phase) zipf_hits += hit ? 1 : 0;
  }
  return {static_cast<double>(hits) / ((phases - 1) * phase_length),
          static_cast<double>(zipf_hits) / (phases / 2 * phase_length)};
}

TEST(CacheWTinyLfuPolicy, FollowsAPhaseChangingWorkloadWithinAPointOfTheBestFixedWindow) {
  PhaseHitRatios adaptive = phase_changing_hit_ratios(std::make_unique<WTinyLfuPolicy>(1000));
  PhaseHitRatios best_fixed{0.0, 0.0};
  for (double share : {0.01, 0.2, 0.5, 0.8}) {
    PhaseHitRatios fixed =
        phase_changing_hit_ratios(std::make_unique<WTinyLfuPolicy>(1000, share, WindowAdaptation::fixed));
    best_fixed.overall = std::max(best_fixed.overall, fixed.overall);
    best_fixed.zipf = std::max(best_fixed.zipf, fixed.zipf);
  }
  // No single window is best in both kinds of phase (80 % overall, 1 % in the Zipf phases); the
  // adaptive one must be within a point of the best in each view.
  EXPECT_GT(adaptive.overall, best_fixed.overall - 0.01) << "best fixed window " << best_fixed.overall;
  EXPECT_GT(adaptive.zipf, best_fixed.zipf - 0.01) << "best fixed window " << best_fixed.zipf;
}

TEST(CacheFrequencySketch, CountsIncrementsUpToFifteen) {
  FrequencySketch sketch;
  EXPECT_EQ(sketch.frequency(hash_of(1)), 0);
  sketch.increment(hash_of(1));  // not sized yet: counts nothing
  EXPECT_EQ(sketch.frequency(hash_of(1)), 0);
  sketch.ensure_capacity(1024);
  for (int count = 1; count <= 20; ++count) {
    sketch.increment(hash_of(1));
    EXPECT_EQ(sketch.frequency(hash_of(1)), std::min(count, 15));
  }
  for (int count = 0; count < 3; ++count) sketch.increment(hash_of(2));
  EXPECT_GE(sketch.frequency(hash_of(2)), 3);  // count-min: never below the true count
  EXPECT_LE(sketch.frequency(hash_of(2)), 4);
}

TEST(CacheFrequencySketch, HalvesEveryCounterAfterASamplePeriod) {
  FrequencySketch sketch;
  sketch.ensure_capacity(4096);
  EXPECT_EQ(sketch.sample_size(), 40960u);
  for (int count = 0; count < 15; ++count) sketch.increment(hash_of(-1));
  for (int count = 0; count < 9; ++count) sketch.increment(hash_of(-2));
  int before = 0;
  int key = 0;
  while (sketch.resets() == 0 && key < 1000000) {
    before = sketch.frequency(hash_of(-2));
    sketch.increment(hash_of(key++));
  }
  ASSERT_EQ(sketch.resets(), 1u);
  EXPECT_GE(key, 40960 - 24);                   // a reset only after a full sample of increments
  EXPECT_EQ(sketch.frequency(hash_of(-1)), 7);  // 15 / 2
  int after = sketch.frequency(hash_of(-2));
  EXPECT_GE(before, 9);
  EXPECT_GE(after, before / 2);  // the triggering increment may have hit one of its counters
  EXPECT_LE(after, (before + 1) / 2);
}

// The block layout (a key's four counters in one 64-byte block, one per word pair) and the branchless
// increment: for many keys within the capacity, every estimate is at least the true count (capped at
// 15) and nearly all are exact, and a key at 15 stays there however often it is seen.
TEST(CacheFrequencySketch, EstimatesAreNeverBelowTheTrueCountAndMostlyExact) {
  FrequencySketch sketch;
  sketch.ensure_capacity(4096);
  constexpr int keys = 2048;
  for (int key = 0; key < keys; ++key) {
    for (int count = 0; count < key % 20; ++count) sketch.increment(hash_of(key));
  }
  ASSERT_EQ(sketch.resets(), 0u);  // 2048 x 9.5 increments < the 40,960 of a sample
  int exact = 0;
  for (int key = 0; key < keys; ++key) {
    int truth = std::min(key % 20, 15);
    int estimate = sketch.frequency(hash_of(key));
    ASSERT_GE(estimate, truth) << "key " << key;
    ASSERT_LE(estimate, 15);
    exact += estimate == truth ? 1 : 0;
  }
  EXPECT_GT(exact, keys * 95 / 100);
}

TEST(CacheFrequencySketch, KeysAreMostlyIndependent) {
  FrequencySketch sketch;
  sketch.ensure_capacity(1024);
  for (int count = 0; count < 15; ++count) sketch.increment(hash_of(7));
  EXPECT_EQ(sketch.frequency(hash_of(7)), 15);
  // Another key shares all four of its counters with key 7 only by a rare collision.
  int disturbed = 0;
  for (int key = 1000; key < 11000; ++key) disturbed += sketch.frequency(hash_of(key)) != 0 ? 1 : 0;
  EXPECT_LT(disturbed, 10);
  // And incrementing others leaves key 7 at 15 (saturated), not wrapped to 0.
  for (int key = 1000; key < 1100; ++key) sketch.increment(hash_of(key));
  EXPECT_EQ(sketch.frequency(hash_of(7)), 15);
}

TEST(CacheFrequencySketch, SaturatedIncrementsDoNotCountTowardsAReset) {
  FrequencySketch sketch;
  sketch.ensure_capacity(64);
  EXPECT_EQ(sketch.sample_size(), 640u);
  // One key seen 10,000 times changes its counters 15 times only: no reset.
  for (int count = 0; count < 10000; ++count) sketch.increment(hash_of(3));
  EXPECT_EQ(sketch.resets(), 0u);
  EXPECT_EQ(sketch.frequency(hash_of(3)), 15);
  // Distinct keys do count; once they have, everything is halved, then halved again, and a key no
  // longer seen fades to 0.
  int key = 100;
  while (sketch.resets() < 4) sketch.increment(hash_of(key++));
  EXPECT_LE(sketch.frequency(hash_of(3)), 1);  // 15 -> 7 -> 3 -> 1 -> 0, plus any collisions
}

// The miniatures' policies share one sketch that their caller increments: record_lookup leaves it
// alone, and admission reads the caller's counts.
TEST(CacheWTinyLfuPolicy, ASharedSketchIsIncrementedOnlyByItsOwner) {
  FrequencySketch shared;
  shared.ensure_capacity(64);
  WTinyLfuPolicy policy(10, shared);
  EXPECT_EQ(policy.adaptation(), WindowAdaptation::fixed);
  for (int count = 0; count < 5; ++count) policy.record_lookup(hash_of(1));
  EXPECT_EQ(shared.frequency(hash_of(1)), 0);
  EXPECT_EQ(&policy.sketch(), &shared);
  for (int count = 0; count < 5; ++count) shared.increment(hash_of(1));
  EXPECT_EQ(policy.sketch().frequency(hash_of(1)), 5);
}

// LRU with weights, the obvious way: a list of (key, weight), most recent at the back.
class ReferenceLru {
 public:
  explicit ReferenceLru(std::uint64_t capacity) : capacity_(capacity) {}
  void access(int key, std::uint64_t weight, Keys& evicted) {
    auto found = std::find_if(order_.begin(), order_.end(), [&](auto& entry) { return entry.first == key; });
    if (found != order_.end()) {
      order_.splice(order_.end(), order_, found);
      return;
    }
    insert(key, weight, evicted);
  }
  void insert(int key, std::uint64_t weight, Keys& evicted) {
    remove(key);
    if (weight > capacity_) {
      evicted.push_back(key);
      return;
    }
    order_.emplace_back(key, weight);
    total_ += weight;
    while (total_ > capacity_) {
      evicted.push_back(order_.front().first);
      total_ -= order_.front().second;
      order_.pop_front();
    }
  }
  void remove(int key) {
    auto found = std::find_if(order_.begin(), order_.end(), [&](auto& entry) { return entry.first == key; });
    if (found == order_.end()) return;
    total_ -= found->second;
    order_.erase(found);
  }

 private:
  std::uint64_t capacity_;
  std::uint64_t total_ = 0;
  std::list<std::pair<int, std::uint64_t>> order_;
};

TEST(CacheLruPolicy, MatchesAReferenceLruUnderRandomWeightedOperations) {
  std::mt19937 random(20261201);
  MiniStore store(PolicyKind::lru, 1000);
  ReferenceLru reference(1000);
  for (int step = 0; step < 20000; ++step) {
    int key = static_cast<int>(random() % 200);
    std::uint64_t weight = 1 + random() % 120;
    Keys expected;
    switch (random() % 10) {
      case 0:
        store.remove(key);
        reference.remove(key);
        break;
      case 1:
        store.insert(key, weight);  // a put over whatever is there
        reference.insert(key, weight, expected);
        break;
      default:
        store.access(key, weight);
        reference.access(key, weight, expected);
    }
    ASSERT_EQ(store.take_evictions(), expected) << "step " << step;
  }
}

TEST(CacheEvictionPolicy, NeverExceedsTheByteBudgetUnderRandomOperations) {
  for (PolicyKind kind : all_kinds) {
    std::mt19937 random(7);
    const std::uint64_t capacity = 5000;
    MiniStore store(kind, capacity);
    for (int step = 0; step < 50000; ++step) {
      // A skewed key space, so that there are hits, promotions and admissions to exercise.
      int key = static_cast<int>(std::min(random() % 1000, random() % 1000));
      std::uint64_t weight = random() % 50 == 0 ? 2000 + random() % 4000 : 1 + random() % 200;
      unsigned action = random() % 20;
      if (action == 0) {
        store.remove(key);
      } else if (action == 1) {
        store.insert(key, weight);
      } else {
        store.access(key, weight);
      }
      ASSERT_LE(store.policy().weight(), capacity) << to_string(kind) << " step " << step;
      ASSERT_EQ(store.policy().weight(), store.resident_weight()) << to_string(kind) << " step " << step;
    }
    EXPECT_GT(store.size(), 0u) << to_string(kind);
  }
}

}  // namespace
}  // namespace tachyon::cache
