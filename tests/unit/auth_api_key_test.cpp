// The API key format: generated keys round-trip through parsing, any single typo fails the checksum without a lookup,
// malformed keys are refused, the peppered hash is deterministic per pepper, and constant-time equality.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tachyon/auth/api_key.hpp"

namespace {

using tachyon::auth::api_key_hash;
using tachyon::auth::api_key_length;
using tachyon::auth::api_key_prefix;
using tachyon::auth::ApiKeyParts;
using tachyon::auth::constant_time_equal;
using tachyon::auth::format_api_key;
using tachyon::auth::generate_api_key;
using tachyon::auth::parse_api_key;

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

TEST(ApiKey, GeneratedKeyParsesBackToItsParts) {
  const std::string key = generate_api_key();
  const std::optional<ApiKeyParts> parts = parse_api_key(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->lookup_id.size(), 12u);
  EXPECT_EQ(parts->secret.size(), 32u);
  EXPECT_EQ(key.substr(4, 12), parts->lookup_id);
  EXPECT_EQ(key.substr(17, 32), parts->secret);
  EXPECT_EQ(format_api_key(*parts), key);
}

TEST(ApiKey, FormattedPartsParseBack) {
  const ApiKeyParts parts{"abcDEF012345", "0123456789abcdefghijABCDEFGHIJxy"};
  const std::string key = format_api_key(parts);
  EXPECT_EQ(key.substr(0, 49), "tch_abcDEF012345_0123456789abcdefghijABCDEFGHIJxy");
  EXPECT_EQ(parse_api_key(key), parts);
}

TEST(ApiKey, FormatRefusesPartsOfWrongLengthOrAlphabet) {
  EXPECT_THROW(format_api_key({"short", "0123456789abcdefghijABCDEFGHIJxy"}), std::invalid_argument);
  EXPECT_THROW(format_api_key({"abcDEF012345", "0123456789abcdefghijABCDEFGHIJx-"}), std::invalid_argument);
}

TEST(ApiKey, GeneratedKeyHasPrefixLengthAndBase62Body) {
  const std::string key = generate_api_key();
  EXPECT_TRUE(key.starts_with(api_key_prefix));
  EXPECT_EQ(key.size(), 55u);
  EXPECT_EQ(key.size(), api_key_length);
  EXPECT_EQ(key[16], '_');
  EXPECT_EQ(key.find_first_not_of(base62, 17), std::string::npos);
  EXPECT_EQ(key.substr(4, 12).find_first_not_of(base62), std::string::npos);
}

TEST(ApiKey, ThousandGeneratedKeysAreDistinct) {
  std::set<std::string> keys;
  std::set<std::string> lookup_ids;
  for (int index = 0; index < 1000; ++index) {
    const std::string key = generate_api_key();
    keys.insert(key);
    lookup_ids.insert(parse_api_key(key)->lookup_id);
  }
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_EQ(lookup_ids.size(), 1000u);
}

TEST(ApiKey, EverySingleCharacterChangeIsRejected) {
  const std::string key = generate_api_key();
  ASSERT_TRUE(parse_api_key(key).has_value());
  // CRC32 detects every burst error of up to 32 bits, so no one-character change in the body goes unnoticed; a
  // change in the checksum digits changes the checksum itself.
  int tried = 0;
  for (std::size_t position = 0; position < key.size(); ++position) {
    for (char replacement : base62) {
      if (replacement == key[position]) continue;
      std::string typo = key;
      typo[position] = replacement;
      EXPECT_FALSE(parse_api_key(typo).has_value()) << "position " << position;
      ++tried;
    }
  }
  EXPECT_GT(tried, 55 * 60);
}

TEST(ApiKey, MalformedKeysAreRejected) {
  const std::string key = generate_api_key();
  EXPECT_FALSE(parse_api_key("").has_value());
  EXPECT_FALSE(parse_api_key("xyz_" + key.substr(4)).has_value());         // wrong prefix
  EXPECT_FALSE(parse_api_key("TCH_" + key.substr(4)).has_value());         // prefix is case-sensitive
  EXPECT_FALSE(parse_api_key(key + "0").has_value());                      // extra character
  EXPECT_FALSE(parse_api_key("0" + key).has_value());                      // extra character in front
  EXPECT_FALSE(parse_api_key(key.substr(0, key.size() - 1)).has_value());  // missing character
  std::string non_base62 = key;
  non_base62[20] = '-';
  EXPECT_FALSE(parse_api_key(non_base62).has_value());
  std::string no_separator = key;
  no_separator[16] = 'a';
  EXPECT_FALSE(parse_api_key(no_separator).has_value());
  std::string high_byte = key;
  high_byte[30] = '\xC3';
  EXPECT_FALSE(parse_api_key(high_byte).has_value());
}

TEST(ApiKey, ChecksumDigitsAboveCrc32RangeAreRejected) {
  // "zzzzzz" is 62^6 - 1, more than any CRC32 value.
  const std::string key = generate_api_key();
  EXPECT_FALSE(parse_api_key(key.substr(0, 49) + "zzzzzz").has_value());
}

TEST(ApiKey, HashIsDeterministicPerPepperAndDiffersAcrossPeppers) {
  const std::string key = generate_api_key();
  const std::string first = api_key_hash("pepper-one-0123456789abcdef012345", key);
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(api_key_hash("pepper-one-0123456789abcdef012345", key), first);
  EXPECT_NE(api_key_hash("pepper-two-0123456789abcdef012345", key), first);
  EXPECT_NE(api_key_hash("pepper-one-0123456789abcdef012345", generate_api_key()), first);
}

TEST(ApiKey, HashMatchesRfc4231TestCase2) {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(api_key_hash("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ApiKey, HashRefusesAnEmptyPepper) {
  EXPECT_THROW(api_key_hash("", generate_api_key()), std::invalid_argument);
}

TEST(ApiKey, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abcdef", "abcdef"));
  EXPECT_FALSE(constant_time_equal("abcdef", "abcdeg"));
  EXPECT_FALSE(constant_time_equal("abcdef", "bbcdef"));
  EXPECT_FALSE(constant_time_equal("abcdef", "abcde"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  const std::string key = generate_api_key();
  const std::string hash = api_key_hash("pepper", key);
  EXPECT_TRUE(constant_time_equal(hash, api_key_hash("pepper", key)));
  EXPECT_FALSE(constant_time_equal(hash, api_key_hash("other", key)));
}

}  // namespace
