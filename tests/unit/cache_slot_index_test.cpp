// The local cache's open-addressing key index: lookups through colliding hashes, growth, and
// backward-shift deletion checked against std::unordered_map over random operations.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "tachyon/cache/slot_index.hpp"

namespace {

using tachyon::cache::no_slot;
using tachyon::cache::Slot;
using tachyon::cache::SlotIndex;

// Keys by slot, the way the local cache keeps them in its records.
struct Keys {
  std::vector<std::string> by_slot;
  Slot find(const SlotIndex& index, std::uint64_t hash, const std::string& key) const {
    return index.find(hash, [&](Slot slot) { return by_slot[slot] == key; });
  }
};

TEST(SlotIndex, FindsWhatWasInsertedAndNothingElse) {
  SlotIndex index;
  Keys keys{{"a", "b", "c"}};
  index.insert(11, 0);
  index.insert(22, 1);
  index.insert(33, 2);
  EXPECT_EQ(keys.find(index, 11, "a"), 0u);
  EXPECT_EQ(keys.find(index, 22, "b"), 1u);
  EXPECT_EQ(keys.find(index, 33, "c"), 2u);
  EXPECT_EQ(keys.find(index, 44, "d"), no_slot);
  EXPECT_EQ(keys.find(index, 11, "b"), no_slot);  // right hash, other key
  EXPECT_EQ(index.size(), 3u);
}

TEST(SlotIndex, KeysWithTheSameHashAreToldApartByTheCaller) {
  SlotIndex index;
  Keys keys{{"first", "second", "third"}};
  for (Slot slot = 0; slot < 3; ++slot) index.insert(0xabcdef, slot);
  EXPECT_EQ(keys.find(index, 0xabcdef, "first"), 0u);
  EXPECT_EQ(keys.find(index, 0xabcdef, "second"), 1u);
  EXPECT_EQ(keys.find(index, 0xabcdef, "third"), 2u);
  EXPECT_TRUE(index.erase(0xabcdef, 1));
  EXPECT_EQ(keys.find(index, 0xabcdef, "second"), no_slot);
  EXPECT_EQ(keys.find(index, 0xabcdef, "first"), 0u);
  EXPECT_EQ(keys.find(index, 0xabcdef, "third"), 2u);
}

TEST(SlotIndex, SameHomeBucketDifferentFragments) {
  // 16 initial buckets: 5, 21 and 37 share home bucket 5; 6 starts where their run continues.
  SlotIndex index;
  Keys keys{{"h5", "h21", "h37", "h6"}};
  index.insert(5, 0);
  index.insert(21, 1);
  index.insert(37, 2);
  index.insert(6, 3);
  for (Slot slot = 0; slot < 4; ++slot) {
    std::uint64_t hash = std::vector<std::uint64_t>{5, 21, 37, 6}[slot];
    EXPECT_EQ(keys.find(index, hash, keys.by_slot[slot]), slot);
  }
  // Removing the run's head shifts the rest back; each must still be found, including 6, whose home
  // was taken by 21 before the shift.
  EXPECT_TRUE(index.erase(5, 0));
  EXPECT_EQ(keys.find(index, 21, "h21"), 1u);
  EXPECT_EQ(keys.find(index, 37, "h37"), 2u);
  EXPECT_EQ(keys.find(index, 6, "h6"), 3u);
  EXPECT_EQ(keys.find(index, 5, "h5"), no_slot);
}

TEST(SlotIndex, RunsWrapAroundTheEndOfTheTable) {
  SlotIndex index;
  Keys keys{{"15a", "15b", "0"}};
  index.insert(15, 0);
  index.insert(31, 1);  // home 15, lands in bucket 0
  index.insert(0, 2);   // home 0, lands in bucket 1
  EXPECT_TRUE(index.erase(15, 0));
  EXPECT_EQ(keys.find(index, 31, "15b"), 1u);
  EXPECT_EQ(keys.find(index, 0, "0"), 2u);
  EXPECT_TRUE(index.erase(31, 1));
  EXPECT_EQ(keys.find(index, 0, "0"), 2u);
  EXPECT_EQ(index.size(), 1u);
}

TEST(SlotIndex, EraseOfAnAbsentSlotChangesNothing) {
  SlotIndex index;
  index.insert(7, 0);
  EXPECT_FALSE(index.erase(7, 1));
  EXPECT_FALSE(index.erase(8, 0));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_TRUE(index.erase(7, 0));
  EXPECT_FALSE(index.erase(7, 0));
  EXPECT_EQ(index.size(), 0u);
}

TEST(SlotIndex, GrowsAndStaysAtMostHalfFull) {
  SlotIndex index;
  Keys keys;
  std::mt19937_64 random(1);
  std::vector<std::uint64_t> hashes;
  for (Slot slot = 0; slot < 10'000; ++slot) {
    hashes.push_back(random());
    keys.by_slot.push_back(std::to_string(slot));
    index.insert(hashes.back(), slot);
    ASSERT_LE(2 * index.size(), index.bucket_count());
  }
  EXPECT_EQ(index.size(), 10'000u);
  for (Slot slot = 0; slot < 10'000; ++slot) ASSERT_EQ(keys.find(index, hashes[slot], keys.by_slot[slot]), slot);
}

// Random inserts and erases over a small hash space (many collisions and long runs, also across the
// table's end), compared after every step with std::unordered_map.
TEST(SlotIndex, MatchesUnorderedMapUnderRandomInsertsAndErases) {
  for (std::uint64_t hash_space : {4u, 64u, 1024u}) {
    SlotIndex index;
    std::unordered_map<std::string, std::pair<Slot, std::uint64_t>> model;  // key -> slot, hash
    Keys keys;
    std::vector<Slot> free_slots;
    std::mt19937_64 random(hash_space);
    for (int step = 0; step < 20'000; ++step) {
      std::string key = "k" + std::to_string(random() % 600);
      // The hash is a function of the key: low 32 bits from a small space centred on 0 (so runs wrap
      // past the table's end), high bits varied.
      std::uint64_t hash = std::hash<std::string>{}(key);
      hash = static_cast<std::uint32_t>(hash % hash_space - hash_space / 2) | (hash << 40);
      auto known = model.find(key);
      if (random() % 2 == 0) {
        if (known != model.end()) continue;
        Slot slot;
        if (!free_slots.empty()) {
          slot = free_slots.back();
          free_slots.pop_back();
        } else {
          slot = static_cast<Slot>(keys.by_slot.size());
          keys.by_slot.emplace_back();
        }
        keys.by_slot[slot] = key;
        index.insert(hash, slot);
        model.emplace(key, std::pair{slot, hash});
      } else {
        Slot found = keys.find(index, hash, key);
        if (known == model.end()) {
          ASSERT_EQ(found, no_slot);
          continue;
        }
        ASSERT_EQ(found, known->second.first);
        ASSERT_TRUE(index.erase(hash, found));
        keys.by_slot[found].clear();
        free_slots.push_back(found);
        model.erase(known);
      }
      ASSERT_EQ(index.size(), model.size());
      if (step % 97 == 0) {
        for (const auto& [name, value] : model) ASSERT_EQ(keys.find(index, value.second, name), value.first) << name;
      }
    }
    for (const auto& [name, value] : model) ASSERT_EQ(keys.find(index, value.second, name), value.first) << name;
  }
}

}  // namespace
