// The local cache as its users see it: freshness windows, the byte budget, invalidation by key and
// by tag, fills that lose to invalidations, and many threads at once.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "tachyon/cache/local_cache.hpp"

namespace tachyon::cache {
namespace {

constexpr std::int64_t start_ms = 1'700'000'000'000;

EntryPointer entry_with(std::string body, std::int64_t fresh_ms, std::int64_t stale_ms = 0, std::int64_t error_ms = 0,
                        std::vector<std::string> tags = {}) {
  auto entry = std::make_shared<CacheEntry>();
  entry->body = std::move(body);
  entry->tags = std::move(tags);
  entry->fresh_until_ms = start_ms + fresh_ms;
  entry->stale_until_ms = entry->fresh_until_ms + stale_ms;
  entry->error_until_ms = entry->stale_until_ms + error_ms;
  return entry;
}

LocalCache make_cache(std::uint64_t bytes = 1 << 20, PolicyKind policy = PolicyKind::lru, unsigned shards = 1) {
  return LocalCache(LocalCacheOptions{.name = "test", .capacity_bytes = bytes, .policy = policy, .shards = shards});
}

TEST(LocalCache, AnswersFreshThenStaleThenOnlyForErrorsThenNothing) {
  LocalCache cache = make_cache();
  ASSERT_TRUE(cache.put("k", entry_with("v", 1000, 500, 2000), start_ms));
  LocalLookup fresh = cache.get("k", start_ms + 999);
  EXPECT_EQ(fresh.outcome, CacheOutcome::hit);
  ASSERT_NE(fresh.entry, nullptr);
  EXPECT_EQ(fresh.entry->body, "v");
  EXPECT_EQ(cache.get("k", start_ms + 1200).outcome, CacheOutcome::stale);
  LocalLookup kept = cache.get("k", start_ms + 2000);
  EXPECT_EQ(kept.outcome, CacheOutcome::miss);
  EXPECT_NE(kept.entry, nullptr) << "kept for stale-if-error";
  LocalLookup gone = cache.get("k", start_ms + 3500);
  EXPECT_EQ(gone.entry, nullptr);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().expirations, 1u);
}

TEST(LocalCache, MissesUnknownKeysAndCountsEveryLookup) {
  LocalCache cache = make_cache();
  EXPECT_EQ(cache.get("nothing", start_ms).entry, nullptr);
  cache.put("k", entry_with("v", 1000), start_ms);
  cache.get("k", start_ms);
  cache.get("k", start_ms);
  LocalCacheStats stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

// Keys of every length up to 40 bytes (the compare goes a word at a time, the last word overlapping),
// each with a twin that differs in one byte only, first or last; and enough keys to grow the index.
TEST(LocalCache, TellsApartKeysOfEveryLengthThatDifferInOneByte) {
  LocalCache cache = make_cache(64 << 20);
  std::vector<std::string> keys;
  for (std::size_t length = 0; length <= 40; ++length) {
    std::string key(length, 'k');
    keys.push_back(key);
    if (length == 0) continue;
    key.back() = 'x';
    keys.push_back(key);
    key.back() = 'k';
    key.front() = 'y';
    keys.push_back(key);
  }
  for (int index = 0; index < 3000; ++index) keys.push_back("grow:" + std::to_string(index));
  for (const std::string& key : keys) ASSERT_TRUE(cache.put(key, entry_with(key, 1000), start_ms)) << key;
  for (const std::string& key : keys) {
    LocalLookup found = cache.get(key, start_ms);
    ASSERT_EQ(found.outcome, CacheOutcome::hit) << key;
    EXPECT_EQ(found.entry->body, key);
  }
  EXPECT_EQ(cache.get(std::string(41, 'k'), start_ms).entry, nullptr);
  EXPECT_EQ(cache.get("grow:3000", start_ms).entry, nullptr);
  // Removing half of them (backward shifts in the index) leaves the other half reachable.
  for (std::size_t index = 0; index < keys.size(); index += 2) ASSERT_TRUE(cache.remove(keys[index]));
  for (std::size_t index = 0; index < keys.size(); ++index) {
    LocalLookup found = cache.get(keys[index], start_ms);
    EXPECT_EQ(found.entry != nullptr, index % 2 == 1) << keys[index];
  }
  EXPECT_EQ(cache.stats().entries, keys.size() / 2);
}

TEST(LocalCache, RefusesAnEntryThatIsAlreadyOver) {
  LocalCache cache = make_cache();
  EXPECT_FALSE(cache.put("k", entry_with("v", 10), start_ms + 10));
  EXPECT_EQ(cache.get("k", start_ms + 10).entry, nullptr);
}

TEST(LocalCache, PutReplacesTheValueAndItsCharge) {
  LocalCache cache = make_cache();
  cache.put("k", entry_with(std::string(1000, 'a'), 1000), start_ms);
  std::uint64_t big = cache.stats().bytes;
  cache.put("k", entry_with("b", 1000), start_ms);
  EXPECT_EQ(cache.get("k", start_ms).entry->body, "b");
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_LT(cache.stats().bytes, big - 900);
}

TEST(LocalCache, NeverHoldsMoreBytesThanItsBudget) {
  constexpr std::uint64_t budget = 256 * 1024;
  LocalCache cache = make_cache(budget, PolicyKind::w_tinylfu, 4);
  std::mt19937_64 random(7);
  for (int index = 0; index < 5000; ++index) {
    std::string key = "key-" + std::to_string(random() % 2000);
    cache.get(key, start_ms);
    cache.put(key, entry_with(std::string(100 + random() % 2000, 'x'), 60'000), start_ms);
    ASSERT_LE(cache.stats().bytes, budget);
  }
  LocalCacheStats stats = cache.stats();
  EXPECT_GT(stats.entries, 50u);
  EXPECT_GT(stats.evictions + stats.rejected, 0u);
}

TEST(LocalCache, AnEntryLargerThanAShardIsNotKept) {
  LocalCache cache = make_cache(64 * 1024);
  EXPECT_FALSE(cache.put("huge", entry_with(std::string(100 * 1024, 'x'), 1000), start_ms));
  EXPECT_EQ(cache.get("huge", start_ms).entry, nullptr);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(LocalCache, LruEvictsTheLeastRecentlyUsedWhenFull) {
  LocalCache cache = make_cache(64 * 1024, PolicyKind::lru);
  std::string body(20 * 1024, 'x');
  cache.put("a", entry_with(body, 1000), start_ms);
  cache.put("b", entry_with(body, 1000), start_ms);
  cache.get("a", start_ms);
  cache.put("c", entry_with(body, 1000), start_ms);
  cache.put("d", entry_with(body, 1000), start_ms);  // over budget: b goes first, a was used
  EXPECT_EQ(cache.get("b", start_ms).entry, nullptr);
  EXPECT_NE(cache.get("a", start_ms).entry, nullptr);
}

TEST(LocalCache, RemoveDropsOneKey) {
  LocalCache cache = make_cache();
  cache.put("a", entry_with("1", 1000), start_ms);
  cache.put("b", entry_with("2", 1000), start_ms);
  EXPECT_TRUE(cache.remove("a"));
  EXPECT_FALSE(cache.remove("a"));
  EXPECT_EQ(cache.get("a", start_ms).entry, nullptr);
  EXPECT_NE(cache.get("b", start_ms).entry, nullptr);
}

TEST(LocalCache, RemoveTagDropsEveryEntryOfTheTagInEveryShard) {
  LocalCache cache = make_cache(4 << 20, PolicyKind::lru, 8);
  for (int index = 0; index < 100; ++index) {
    std::vector<std::string> tags{index % 2 == 0 ? "even" : "odd"};
    cache.put("k" + std::to_string(index), entry_with("v", 1000, 0, 0, tags), start_ms);
  }
  EXPECT_EQ(cache.remove_tag("even"), 50u);
  EXPECT_EQ(cache.remove_tag("even"), 0u);
  EXPECT_EQ(cache.get("k0", start_ms).entry, nullptr);
  EXPECT_NE(cache.get("k1", start_ms).entry, nullptr);
  EXPECT_EQ(cache.stats().entries, 50u);
}

TEST(LocalCache, ClearEmptiesEverything) {
  LocalCache cache = make_cache(4 << 20, PolicyKind::fifo, 4);
  for (int index = 0; index < 20; ++index) cache.put("k" + std::to_string(index), entry_with("v", 1000), start_ms);
  cache.clear();
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(LocalCache, AFillThatLostToAnInvalidationIsNotStored) {
  LocalCache cache = make_cache();
  EXPECT_FALSE(cache.put("k", entry_with("old", 1000), start_ms, [] { return false; }));
  EXPECT_EQ(cache.get("k", start_ms).entry, nullptr);
  EXPECT_TRUE(cache.put("k", entry_with("new", 1000), start_ms, [] { return true; }));
}

TEST(LocalCache, ExpireReclaimsEntriesNobodyReads) {
  LocalCache cache = make_cache();
  for (int index = 0; index < 10; ++index) cache.put("k" + std::to_string(index), entry_with("v", 1000), start_ms);
  cache.expire(start_ms + 60'000);
  EXPECT_EQ(cache.stats().entries, 0u);
  EXPECT_EQ(cache.stats().expirations, 10u);
}

TEST(LocalCache, ManyThreadsKeepItConsistent) {
  constexpr std::uint64_t budget = 512 * 1024;
  LocalCache cache = make_cache(budget, PolicyKind::w_tinylfu, 4);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&cache, thread] {
      std::mt19937_64 random(thread);
      for (int index = 0; index < 20000; ++index) {
        std::string key = "k" + std::to_string(random() % 500);
        switch (random() % 8) {
          case 0:
            cache.remove(key);
            break;
          case 1:
            cache.remove_tag("t" + std::to_string(random() % 5));
            break;
          case 2:
          case 3: {
            std::vector<std::string> tags{"t" + std::to_string(random() % 5)};
            cache.put(key, entry_with(std::string(random() % 3000, 'x'), 60'000, 0, 0, tags), start_ms);
            break;
          }
          default: {
            LocalLookup found = cache.get(key, start_ms);
            if (found.entry) {
              ASSERT_LE(found.entry->body.size(), 3000u);
            }
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(cache.stats().bytes, budget);
}

// Under the shard lock every hit returns the entry stored under that very key, whatever the other
// threads put, evict and remove meanwhile (each entry's body starts with its key and a '|').
TEST(LocalCache, ConcurrentHitsReturnTheirOwnKeysEntry) {
  LocalCache cache = make_cache(256 * 1024, PolicyKind::w_tinylfu, 2);
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&cache, thread] {
      std::mt19937_64 random(100 + thread);
      for (int index = 0; index < 20000; ++index) {
        std::string key = "key:" + std::to_string(random() % 2000);
        switch (random() % 4) {
          case 0:
            cache.put(key, entry_with(key + '|' + std::string(random() % 500, '.'), 60'000), start_ms);
            break;
          case 1:
            if (random() % 8 == 0) cache.remove(key);
            break;
          default: {
            LocalLookup found = cache.get(key, start_ms);
            if (found.entry) {
              ASSERT_EQ(found.entry->body.substr(0, key.size() + 1), key + '|');
            }
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(cache.stats().bytes, 256u * 1024);
}

TEST(CacheEntryEncoding, RoundTripsEveryField) {
  CacheEntry entry;
  entry.status = 201;
  entry.content_type = "application/json";
  entry.etag = "\"abc\"";
  entry.body = std::string("body with \0 byte", 16);
  entry.tags = {"products:list", "x"};
  entry.fresh_until_ms = 10;
  entry.stale_until_ms = 20;
  entry.error_until_ms = 30;
  CacheEntry decoded;
  ASSERT_TRUE(decode_entry(encode_entry(entry), decoded));
  EXPECT_EQ(decoded.status, 201);
  EXPECT_EQ(decoded.etag, entry.etag);
  EXPECT_EQ(decoded.body, entry.body);
  EXPECT_EQ(decoded.tags, entry.tags);
  EXPECT_EQ(decoded.error_until_ms, 30);
}

TEST(CacheEntryEncoding, RejectsTruncatedOrForeignBytes) {
  CacheEntry entry;
  entry.body = "hello";
  entry.fresh_until_ms = entry.stale_until_ms = entry.error_until_ms = 5;
  std::string bytes = encode_entry(entry);
  CacheEntry decoded;
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    EXPECT_FALSE(decode_entry(std::string_view(bytes).substr(0, length), decoded)) << length;
  }
  EXPECT_FALSE(decode_entry(bytes + "x", decoded));
  EXPECT_FALSE(decode_entry("not an entry at all", decoded));
}

}  // namespace
}  // namespace tachyon::cache
