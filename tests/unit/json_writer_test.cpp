#include "tachyon/json/writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace tachyon::json {
namespace {

std::string quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST(JsonWriterTest, PlainStringIsQuotedUnchanged) {
  EXPECT_EQ(quoted("hello world"), "\"hello world\"");
}

TEST(JsonWriterTest, EmptyStringIsTwoQuotes) {
  EXPECT_EQ(quoted(""), "\"\"");
}

TEST(JsonWriterTest, QuoteAndBackslashAreEscaped) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
}

TEST(JsonWriterTest, CommonControlCharactersUseShortEscapes) {
  EXPECT_EQ(quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
}

TEST(JsonWriterTest, OtherControlCharactersUseLowercaseUnicodeEscapes) {
  EXPECT_EQ(quoted(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(JsonWriterTest, SlashAndDeleteArePassedThrough) {
  EXPECT_EQ(quoted("a/b\x7f"), "\"a/b\x7f\"");
}

TEST(JsonWriterTest, Utf8IsPassedThroughByteForByte) {
  EXPECT_EQ(quoted("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonWriterTest, EscapesBetweenPlainRunsKeepTheRunsIntact) {
  EXPECT_EQ(quoted("first\nsecond\tthird\"end"), R"("first\nsecond\tthird\"end")");
}

TEST(JsonWriterTest, AppendsWithoutClearingTheBuffer) {
  std::string out = "prefix:";
  append_json_string(out, "x");
  EXPECT_EQ(out, "prefix:\"x\"");
}

TEST(JsonWriterTest, ObjectMembersAreSeparatedByCommas) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.field("a", 1);
  writer.field("b", "two");
  writer.field("c", true);
  writer.null_field("d");
  writer.end_object();
  EXPECT_EQ(out, R"({"a":1,"b":"two","c":true,"d":null})");
  EXPECT_EQ(writer.depth(), 0u);
}

TEST(JsonWriterTest, NestedContainersPlaceCommasPerLevel) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.key("list");
  writer.begin_array();
  writer.value(1);
  writer.begin_array();
  writer.end_array();
  writer.begin_object();
  writer.field("x", false);
  writer.end_object();
  writer.value("s");
  writer.end_array();
  writer.key("empty");
  writer.begin_object();
  writer.end_object();
  writer.end_object();
  EXPECT_EQ(out, R"({"list":[1,[],{"x":false},"s"],"empty":{}})");
}

TEST(JsonWriterTest, KeysAreEscaped) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_object();
  writer.field("a\"b", 1);
  writer.end_object();
  EXPECT_EQ(out, R"({"a\"b":1})");
}

TEST(JsonWriterTest, IntegersCoverTheirWholeRange) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_array();
  writer.value(std::numeric_limits<std::int64_t>::min());
  writer.value(std::numeric_limits<std::uint64_t>::max());
  writer.value(-7);
  writer.value(42u);
  writer.value(static_cast<long long>(-3));
  writer.value(static_cast<short>(5));
  writer.end_array();
  EXPECT_EQ(out, "[-9223372036854775808,18446744073709551615,-7,42,-3,5]");
}

TEST(JsonWriterTest, DoublesUseTheShortestRoundTripText) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_array();
  writer.value(0.1);
  writer.value(1.5);
  writer.value(3.0);
  writer.value(-0.25);
  writer.value(1e100);
  writer.value(5e-324);
  writer.end_array();
  EXPECT_EQ(out, "[0.1,1.5,3,-0.25,1e+100,5e-324]");
}

TEST(JsonWriterTest, DoubleTextReadsBackToTheSameValue) {
  for (double number : {0.1 + 0.2, 1.0 / 3.0, 123456.789e-7, std::numeric_limits<double>::max(),
                        std::numeric_limits<double>::denorm_min()}) {
    std::string out;
    JsonWriter writer(out);
    writer.value(number);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), number) << out;
  }
}

TEST(JsonWriterTest, NanAndInfinitiesBecomeNull) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_array();
  writer.value(std::numeric_limits<double>::quiet_NaN());
  writer.value(std::numeric_limits<double>::infinity());
  writer.value(-std::numeric_limits<double>::infinity());
  writer.end_array();
  EXPECT_EQ(out, "[null,null,null]");
}

TEST(JsonWriterTest, StringLiteralIsAStringNotABoolean) {
  std::string out;
  JsonWriter writer(out);
  writer.value("text");
  EXPECT_EQ(out, "\"text\"");
}

TEST(JsonWriterTest, NullCharPointerWritesNull) {
  std::string out;
  JsonWriter writer(out);
  const char* nothing = nullptr;
  writer.value(nothing);
  EXPECT_EQ(out, "null");
}

TEST(JsonWriterTest, StdStringFieldIsWrittenAsString) {
  std::string out;
  JsonWriter writer(out);
  const std::string name = "ada";
  writer.begin_object();
  writer.field("name", name);
  writer.field("pi", 3.5);
  writer.field("big", std::uint64_t{18446744073709551615u});
  writer.end_object();
  EXPECT_EQ(out, R"({"name":"ada","pi":3.5,"big":18446744073709551615})");
}

TEST(JsonWriterTest, RawFragmentsGetCommasLikeValues) {
  std::string out;
  JsonWriter writer(out);
  writer.begin_array();
  writer.raw(R"({"cached":true})");
  writer.raw("[1,2]");
  writer.end_array();
  writer.raw("");
  EXPECT_EQ(out, R"([{"cached":true},[1,2]])");
}

TEST(JsonWriterTest, TopLevelValueAppendsToExistingText) {
  std::string out = "{\"n\":";
  JsonWriter writer(out);
  writer.value(std::int64_t{5});
  EXPECT_EQ(out, "{\"n\":5");
}

TEST(JsonWriterTest, NestingToMaxDepthWorksAndBeyondThrows) {
  std::string out;
  JsonWriter writer(out);
  for (std::size_t level = 0; level < JsonWriter::max_depth; ++level) writer.begin_array();
  EXPECT_THROW(writer.begin_object(), std::length_error);
  for (std::size_t level = 0; level < JsonWriter::max_depth; ++level) writer.end_array();
  EXPECT_EQ(out, std::string(JsonWriter::max_depth, '[') + std::string(JsonWriter::max_depth, ']'));
}

TEST(JsonWriterTest, EndWithoutBeginThrows) {
  std::string out;
  JsonWriter writer(out);
  EXPECT_THROW(writer.end_object(), std::logic_error);
}

}  // namespace
}  // namespace tachyon::json
