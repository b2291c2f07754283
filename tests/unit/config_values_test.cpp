#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "tachyon/config/values.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t mebibyte = 1024 * 1024;
constexpr std::uint64_t gibibyte = 1024 * mebibyte;

TEST(ConfigValues, IntegerAcceptsDecimalDigitsWithinRange) {
  EXPECT_EQ(parse_integer("0", 0, 65535).value, 0u);
  EXPECT_EQ(parse_integer("8001", 0, 65535).value, 8001u);
  EXPECT_EQ(parse_integer("65535", 0, 65535).value, 65535u);
  EXPECT_EQ(parse_integer("007", 0, 10).value, 7u);
}

TEST(ConfigValues, IntegerRejectsSignsSpacesFractionsHexOverflowAndOutOfRange) {
  for (const char* text : {"", "80x", "-1", "+1", " 80", "80 ", "8.0", "0x10", "65536", "99999999999999999999999"}) {
    auto parsed = parse_integer(text, 0, 65535);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.reason, "is not an integer between 0 and 65535") << text;
  }
  EXPECT_FALSE(parse_integer("0", 1, 10).ok());
}

TEST(ConfigValues, SizeAcceptsPlainBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_size("0", 0, gibibyte).value, 0u);
  EXPECT_EQ(parse_size("4096", 0, gibibyte).value, 4096u);
  EXPECT_EQ(parse_size("64KiB", 0, gibibyte).value, 64u * 1024);
  EXPECT_EQ(parse_size("1MiB", 0, gibibyte).value, mebibyte);
  EXPECT_EQ(parse_size("1GiB", 0, gibibyte).value, gibibyte);
}

TEST(ConfigValues, SizeRejectsDecimalSuffixesSpacesFractionsAndOverflow) {
  for (const char* text : {"", "MiB", "10MB", "1k", "1KB", "1kib", "1 MiB", "1.5MiB", "-1", "2GiB", "1073741825",
                           "99999999999999999999", "17179869184GiB"}) {
    auto parsed = parse_size(text, 0, gibibyte);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.reason,
              "is not a size between 0 and 1GiB (bytes, or a whole number with KiB, MiB or GiB, e.g. 64KiB)")
        << text;
  }
}

TEST(ConfigValues, SizeRejectsValuesBelowTheMinimum) {
  auto parsed = parse_size("255", 256, mebibyte);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.reason,
            "is not a size between 256 and 1MiB (bytes, or a whole number with KiB, MiB or GiB, e.g. 64KiB)");
}

TEST(ConfigValues, DurationAcceptsEachUnitAndBareZero) {
  EXPECT_EQ(parse_duration("250ms", 0ms, 1h).value, 250ms);
  EXPECT_EQ(parse_duration("10s", 0ms, 1h).value, 10s);
  EXPECT_EQ(parse_duration("2m", 0ms, 1h).value, 2min);
  EXPECT_EQ(parse_duration("1h", 0ms, 1h).value, 1h);
  EXPECT_EQ(parse_duration("0", 0ms, 1h).value, 0ms);
  EXPECT_EQ(parse_duration("0s", 0ms, 1h).value, 0ms);
}

TEST(ConfigValues, DurationRejectsMissingUnitNegativesFractionsUnknownUnitsAndOverflow) {
  for (const char* text : {"", "10", "s", "-1s", "1.5s", "10sec", "10 s", "1d", "10S", "61m", "3600001ms",
                           "99999999999999999999h", "9999999999999999h"}) {
    auto parsed = parse_duration(text, 0ms, 1h);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.reason, "is not a duration between 0 and 1h (a whole number with ms, s, m or h, e.g. 10s)")
        << text;
  }
}

TEST(ConfigValues, DurationRejectsZeroWhenTheMinimumIsPositive) {
  auto parsed = parse_duration("0", 1ms, 1h);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.reason, "is not a duration between 1ms and 1h (a whole number with ms, s, m or h, e.g. 10s)");
}

TEST(ConfigValues, BooleanAcceptsEveryDocumentedSpellingIgnoringCase) {
  for (const char* text : {"true", "TRUE", "True", "yes", "YES", "on", "On", "1"}) {
    EXPECT_EQ(parse_boolean(text).value, true) << text;
  }
  for (const char* text : {"false", "FALSE", "no", "No", "off", "OFF", "0"}) {
    EXPECT_EQ(parse_boolean(text).value, false) << text;
  }
}

TEST(ConfigValues, BooleanRejectsAnythingElse) {
  for (const char* text : {"", "maybe", "2", "tru", "y", " true", "enabled"}) {
    auto parsed = parse_boolean(text);
    EXPECT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.reason, "is not a boolean (true/false, yes/no, on/off, 1/0)") << text;
  }
}

TEST(ConfigValues, ChoiceMatchesIgnoringCaseAndListsTheChoicesOnFailure) {
  constexpr std::array<std::string_view, 2> formats{"json", "text"};
  EXPECT_EQ(parse_choice("text", formats).value, 1u);
  EXPECT_EQ(parse_choice("JSON", formats).value, 0u);
  auto parsed = parse_choice("yaml", formats);
  EXPECT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.reason, "is not one of json, text");
}

TEST(ConfigValues, FormattingPicksTheLargestExactUnitAndRoundTrips) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(16384), "16KiB");
  EXPECT_EQ(format_size(mebibyte), "1MiB");
  EXPECT_EQ(format_size(3 * gibibyte), "3GiB");
  EXPECT_EQ(format_duration(0ms), "0");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(10s), "10s");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(60s), "1m");
  EXPECT_EQ(format_duration(2h), "2h");
  for (std::chrono::milliseconds duration : {0ms, 7ms, 1500ms, 10000ms, 60000ms, 7200000ms}) {
    EXPECT_EQ(parse_duration(format_duration(duration), 0ms, 24h).value, duration);
  }
}

TEST(ConfigValues, MediaTypeListTrimsLowerCasesAndRoundTrips) {
  ParseResult<std::vector<std::string>> parsed = parse_media_type_list("Application/JSON, text/ ,image/svg+xml");
  ASSERT_TRUE(parsed.ok()) << parsed.reason;
  EXPECT_EQ(*parsed.value, (std::vector<std::string>{"application/json", "text/", "image/svg+xml"}));
  EXPECT_EQ(format_list(*parsed.value), "application/json,text/,image/svg+xml");
  EXPECT_EQ(*parse_media_type_list(format_list(*parsed.value)).value, *parsed.value);
}

TEST(ConfigValues, MediaTypeListRejectsEntriesThatAreNoMediaType) {
  EXPECT_EQ(parse_media_type_list("application/json,json").reason,
            "has \"json\", which is not a media type such as application/json or text/");
  EXPECT_FALSE(parse_media_type_list("").ok());
  EXPECT_FALSE(parse_media_type_list("application/json,").ok());
  EXPECT_FALSE(parse_media_type_list("/json").ok());
  EXPECT_FALSE(parse_media_type_list("text/html; charset=utf-8").ok());
  EXPECT_FALSE(parse_media_type_list("text/*").ok());
}

TEST(ConfigValues, TokenListsMayBeEmptyAndRefuseNonTokens) {
  EXPECT_EQ(*parse_token_list("GET, POST,PATCH").value, (std::vector<std::string>{"GET", "POST", "PATCH"}));
  EXPECT_EQ(*parse_token_list("X-Request-ID, traceparent").value,
            (std::vector<std::string>{"X-Request-ID", "traceparent"}));
  EXPECT_TRUE(parse_token_list("").value->empty());
  EXPECT_EQ(parse_token_list("ETag, Bad Header").reason, "has \"Bad Header\", which is not a method or header name");
  EXPECT_FALSE(parse_token_list("ETag,,Location").ok());
  EXPECT_FALSE(parse_token_list("X-A: 1").ok());
}

TEST(ConfigValues, QuoteEscapesSoTheResultStaysOnOneLine) {
  EXPECT_EQ(quote("80x"), "\"80x\"");
  EXPECT_EQ(quote(""), "\"\"");
  EXPECT_EQ(quote("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\te\\x01\"");
}

}  // namespace
}  // namespace tachyon::config
