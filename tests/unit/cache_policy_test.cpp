#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <list>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

#include "tachyon/cache/policy.hpp"

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
constexpr PolicyKind all_kinds[] = {PolicyKind::lru, PolicyKind::fifo};

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
