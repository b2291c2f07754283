// The per-route cache setting syntax: "off", fields over a base, and the errors users get.
#include <gtest/gtest.h>

#include "tachyon/config/cache_route.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

TEST(ConfigCacheRoute, FieldsNotGivenKeepTheBaseValues) {
  CacheRouteSetting base{.ttl = 5min, .stale_while_revalidate = 30s, .bytes = 16 << 20, .policy = "lru"};
  ParseResult<CacheRouteSetting> parsed = parse_cache_route("ttl=10s, bytes=1MiB", base);
  ASSERT_TRUE(parsed.ok()) << parsed.reason;
  EXPECT_EQ(parsed.value->ttl, 10s);
  EXPECT_EQ(parsed.value->bytes, 1u << 20);
  EXPECT_EQ(parsed.value->stale_while_revalidate, 30s);
  EXPECT_EQ(parsed.value->policy, "lru");
  EXPECT_TRUE(parsed.value->enabled);
}

TEST(ConfigCacheRoute, OffDisablesAndAnyFieldEnablesAgain) {
  ParseResult<CacheRouteSetting> off = parse_cache_route("OFF", CacheRouteSetting{});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off.value->enabled);
  ParseResult<CacheRouteSetting> on = parse_cache_route("policy=W-TinyLFU", *off.value);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on.value->enabled);
  EXPECT_EQ(on.value->policy, "w-tinylfu");
}

TEST(ConfigCacheRoute, FormattedValuesParseBackToTheSameSetting) {
  CacheRouteSetting setting{
      .ttl = 1h, .stale_while_revalidate = 0ms, .stale_if_error = 24h, .bytes = 64 << 10, .policy = "fifo"};
  ParseResult<CacheRouteSetting> parsed = parse_cache_route(format_cache_route(setting), CacheRouteSetting{});
  ASSERT_TRUE(parsed.ok()) << parsed.reason;
  EXPECT_EQ(*parsed.value, setting);
  EXPECT_EQ(format_cache_route(CacheRouteSetting{.enabled = false}), "off");
}

TEST(ConfigCacheRoute, EachMistakeIsNamed) {
  CacheRouteSetting base;
  EXPECT_NE(parse_cache_route("ttl=10", base).reason.find("ttl=10"), std::string::npos);
  EXPECT_NE(parse_cache_route("ttl=0", base).reason.find("ttl"), std::string::npos) << "ttl must be >= 1s";
  EXPECT_NE(parse_cache_route("bytes=10KB", base).reason.find("bytes"), std::string::npos);
  EXPECT_NE(parse_cache_route("policy=random", base).reason.find("lru, lfu, fifo, w-tinylfu"), std::string::npos);
  EXPECT_NE(parse_cache_route("size=1MiB", base).reason.find("unknown field \"size\""), std::string::npos);
  EXPECT_NE(parse_cache_route("fast", base).reason.find("\"fast\""), std::string::npos);
  EXPECT_FALSE(parse_cache_route("", base).ok());
}

}  // namespace
}  // namespace tachyon::config
