// ResponseParser's optional header capture (used by the upstream client), apart from the body tests.
#include <gtest/gtest.h>

#include <string>

#include "tachyon/http/response_parser.hpp"

namespace {

using tachyon::http::ResponseParser;
using Result = ResponseParser::Result;

const std::string response =
    "HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\nETag: \"v1\"\r\nContent-Length: 2\r\n\r\n{}";

TEST(HttpResponseParserHeaders, KeepsFieldsInOrderWithTrimmedValuesWhenAsked) {
  ResponseParser parser;
  parser.reset(false, true, true);
  std::size_t consumed = 0;
  ASSERT_EQ(parser.parse(response, consumed), Result::complete);
  ASSERT_EQ(parser.headers().size(), 3u);
  EXPECT_EQ(parser.headers()[0].first, "Content-Type");
  EXPECT_EQ(parser.headers()[0].second, "application/json");
  EXPECT_EQ(parser.headers()[1].second, "\"v1\"");
  EXPECT_EQ(parser.take_body(), "{}");
  parser.reset(false, true, true);
  EXPECT_TRUE(parser.headers().empty());
}

TEST(HttpResponseParserHeaders, KeepsNoFieldsByDefault) {
  ResponseParser parser;
  parser.reset(false, true);
  std::size_t consumed = 0;
  ASSERT_EQ(parser.parse(response, consumed), Result::complete);
  EXPECT_TRUE(parser.headers().empty());
  EXPECT_EQ(parser.body(), "{}");
}

}  // namespace
