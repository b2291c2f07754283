#include <gtest/gtest.h>

#include <string>

#include "tachyon/http/response_parser.hpp"

namespace {

using tachyon::http::ResponseParser;
using Result = ResponseParser::Result;

// Feeds `bytes` in pieces of `step` like a socket would, keeping unconsumed bytes; returns the
// result after the last piece and how many bytes are left over.
Result feed(ResponseParser& parser, const std::string& bytes, std::size_t step, std::string& leftover) {
  std::string buffer;
  Result result = Result::need_more;
  for (std::size_t offset = 0; offset < bytes.size(); offset += step) {
    buffer += bytes.substr(offset, step);
    std::size_t consumed = 0;
    result = parser.parse(buffer, consumed);
    buffer.erase(0, consumed);
    if (result != Result::need_more) break;
  }
  leftover = buffer;
  return result;
}

TEST(HttpResponseParser, ContentLengthBodyAcrossManyReads) {
  for (std::size_t step : {1u, 3u, 7u, 1000u}) {
    ResponseParser parser;
    parser.reset(false, true);
    std::string leftover;
    Result result = feed(parser, "HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\nhello world", step, leftover);
    EXPECT_EQ(result, Result::complete) << step;
    EXPECT_EQ(parser.status(), 201);
    EXPECT_EQ(parser.body(), "hello world");
    EXPECT_TRUE(parser.keep_alive());
  }
}

TEST(HttpResponseParser, ChunkedBodyWithTrailers) {
  for (std::size_t step : {1u, 5u, 1000u}) {
    ResponseParser parser;
    parser.reset(false, true);
    std::string leftover;
    Result result = feed(parser,
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\nA;ext=1\r\npedia in c\r\n"
                         "0\r\nX-Trailer: 1\r\n\r\n",
                         step, leftover);
    EXPECT_EQ(result, Result::complete) << step;
    EXPECT_EQ(parser.body(), "Wikipedia in c");
  }
}

TEST(HttpResponseParser, PipelinedResponsesLeaveTheNextOneUnconsumed) {
  ResponseParser parser;
  parser.reset();
  std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  std::size_t consumed = 0;
  ASSERT_EQ(parser.parse(two, consumed), Result::complete);
  EXPECT_EQ(parser.status(), 200);
  std::string rest = two.substr(consumed);
  parser.reset();
  ASSERT_EQ(parser.parse(rest, consumed), Result::complete);
  EXPECT_EQ(parser.status(), 404);
  EXPECT_EQ(consumed, rest.size());
}

TEST(HttpResponseParser, NoBodyForHeadAnd204And304) {
  ResponseParser parser;
  std::size_t consumed = 0;
  parser.reset(true);
  EXPECT_EQ(parser.parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", consumed), Result::complete);
  parser.reset();
  EXPECT_EQ(parser.parse("HTTP/1.1 204 No Content\r\n\r\n", consumed), Result::complete);
  parser.reset();
  EXPECT_EQ(parser.parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", consumed), Result::complete);
}

TEST(HttpResponseParser, CloseDelimitedBodyEndsAtEof) {
  ResponseParser parser;
  parser.reset(false, true);
  std::size_t consumed = 0;
  EXPECT_EQ(parser.parse("HTTP/1.0 200 OK\r\n\r\nsome bytes", consumed), Result::need_more);
  EXPECT_EQ(parser.finish_on_close(), Result::complete);
  EXPECT_EQ(parser.body(), "some bytes");
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, ConnectionCloseIsReported) {
  ResponseParser parser;
  parser.reset();
  std::size_t consumed = 0;
  EXPECT_EQ(parser.parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", consumed),
            Result::complete);
  EXPECT_FALSE(parser.keep_alive());
}

TEST(HttpResponseParser, GarbageIsAnError) {
  ResponseParser parser;
  std::size_t consumed = 0;
  parser.reset();
  EXPECT_EQ(parser.parse("SSH-2.0-OpenSSH\r\n\r\n", consumed), Result::error);
  parser.reset();
  EXPECT_EQ(parser.parse("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", consumed), Result::error);
  parser.reset();
  EXPECT_EQ(parser.finish_on_close(), Result::error);  // EOF before any response
}

}  // namespace
