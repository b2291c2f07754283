// The strict HTTP/1.1 head parser and in-place chunked decoder: statuses for every malformed or
// oversized input, incremental feeding, and zero-copy views.
#include <gtest/gtest.h>

#include <string>

#include "tachyon/http/request_parser.hpp"

namespace tachyon::http {
namespace {

struct Parsed {
  ParseState state;
  int status = 0;
  std::size_t head_length = 0;
};

Parsed parse_all(const std::string& text, Request& request, ParserLimits limits = {}) {
  HeadParser parser(limits);
  ParseState state = parser.parse(text, request);
  return {state, state == ParseState::error ? parser.error().status : 0, parser.head_length()};
}

int status_of(const std::string& text, ParserLimits limits = {}) {
  Request request;
  Parsed parsed = parse_all(text, request, limits);
  return parsed.state == ParseState::error ? parsed.status : (parsed.state == ParseState::complete ? 200 : 0);
}

TEST(HttpRequestParser, ParsesRequestLineHeadersAndViews) {
  std::string text = "GET /v1/users/7?limit=5&q=a%20b HTTP/1.1\r\nHost: api\r\nX-Thing:  spaced value \t\r\n\r\nrest";
  Request request;
  Parsed parsed = parse_all(text, request);
  ASSERT_EQ(parsed.state, ParseState::complete);
  EXPECT_EQ(parsed.head_length, text.size() - 4);
  EXPECT_EQ(request.method, Method::get);
  EXPECT_EQ(request.path, "/v1/users/7");
  EXPECT_EQ(request.query, "limit=5&q=a%20b");
  EXPECT_EQ(request.header("x-thing"), "spaced value");
  EXPECT_EQ(request.query_param("q"), "a b");
  EXPECT_EQ(request.query_param("missing"), std::nullopt);
  EXPECT_TRUE(request.keep_alive);
  // Views point into the input: no header bytes were copied.
  EXPECT_GE(request.header("host").data(), text.data());
  EXPECT_LT(request.header("host").data(), text.data() + text.size());
}

TEST(HttpRequestParser, FeedsIncrementallyByteByByte) {
  std::string text = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
  HeadParser parser(ParserLimits{});
  Request request;
  for (std::size_t length = 1; length < text.size(); ++length) {
    ASSERT_EQ(parser.parse(std::string_view(text).substr(0, length), request), ParseState::need_more) << length;
  }
  ASSERT_EQ(parser.parse(text, request), ParseState::complete);
  EXPECT_EQ(request.content_length, 3u);
}

TEST(HttpRequestParser, LimitsMapToTheirStatuses) {
  ParserLimits limits;
  limits.max_request_line_bytes = 300;
  limits.max_header_bytes = 1024;
  limits.max_header_count = 3;
  limits.max_body_bytes = 100;
  EXPECT_EQ(status_of("GET /" + std::string(400, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits), 414);
  EXPECT_EQ(status_of("GET /" + std::string(400, 'a'), limits), 414);  // before the line even ends
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(1100, 'b') + "\r\n\r\n", limits), 431);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(1100, 'b'), limits), 431);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), 431);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", limits), 413);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n", limits), 200);
}

TEST(HttpRequestParser, FramingAttacksAre400) {
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity, chunked\r\n\r\n"), 501);
  EXPECT_EQ(status_of("GET / HTTP/1.1\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01"
                      "b\r\n\r\n"),
            400);
  EXPECT_EQ(status_of("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
}

// Every control byte but HTAB, and DEL, is refused wherever it sits in a long value (the check runs 16
// bytes a step, then a tail); HTAB, SP, VCHAR and obs-text pass.
TEST(HttpRequestParser, ControlBytesAnywhereInALongFieldValueAre400) {
  const std::string value(600, 'v');
  for (int byte = 0; byte < 0x100; ++byte) {
    const bool allowed = byte == '\t' || (byte >= 0x20 && byte != 0x7f);
    if (byte == '\n' || byte == '\r') continue;  // line endings are their own errors
    for (std::size_t at : {std::size_t{0}, std::size_t{15}, std::size_t{16}, std::size_t{300}, std::size_t{598}}) {
      std::string tampered = value;
      tampered[at] = static_cast<char>(byte);
      const int status = status_of("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + tampered + "\r\n\r\n");
      if (allowed) {
        EXPECT_EQ(status, 200) << "byte " << byte << " at " << at;
      } else {
        EXPECT_EQ(status, 400) << "byte " << byte << " at " << at;
      }
    }
  }
}

TEST(HttpRequestParser, VersionsMethodsAndHost) {
  EXPECT_EQ(status_of("GET / HTTP/1.0\r\n\r\n"), 200);  // HTTP/1.0 needs no Host
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/3.0\r\nHost: h\r\n\r\n"), 505);
  EXPECT_EQ(status_of("GET / HTTP/1.1x\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(status_of("TRACE / HTTP/1.1\r\nHost: h\r\n\r\n"), 501);
  EXPECT_EQ(status_of("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
  EXPECT_EQ(status_of("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n"), 417);
}

TEST(HttpRequestParser, ConnectionHeaderDecidesKeepAlive) {
  Request request;
  parse_all("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, close\r\n\r\n", request);
  EXPECT_FALSE(request.keep_alive);
  parse_all("GET / HTTP/1.0\r\n\r\n", request);
  EXPECT_FALSE(request.keep_alive);
  parse_all("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", request);
  EXPECT_TRUE(request.keep_alive);
}

ParseState decode_all(ChunkedDecoder& decoder, std::string& region, std::size_t& size) {
  size = region.size();
  return decoder.decode(region.data(), size);
}

TEST(HttpChunkedDecoder, DecodesInPlaceAndKeepsWhatFollows) {
  ParserLimits limits;
  ChunkedDecoder decoder(limits);
  std::string region = "4\r\nWiki\r\n5;name=value\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  std::size_t size = 0;
  ASSERT_EQ(decode_all(decoder, region, size), ParseState::complete);
  EXPECT_EQ(region.substr(0, decoder.decoded_size()), "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(region.substr(decoder.decoded_size(), size - decoder.decoded_size()), "NEXT");
}

TEST(HttpChunkedDecoder, ResumesAcrossArbitrarySplits) {
  const std::string encoded = "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
  for (std::size_t split = 1; split < encoded.size(); ++split) {
    ParserLimits limits;
    ChunkedDecoder decoder(limits);
    std::string region = encoded.substr(0, split);
    std::size_t size = region.size();
    ASSERT_NE(decoder.decode(region.data(), size), ParseState::error) << split;
    region.resize(size);
    region += encoded.substr(split);
    size = region.size();
    ASSERT_EQ(decoder.decode(region.data(), size), ParseState::complete) << split;
    EXPECT_EQ(region.substr(0, decoder.decoded_size()), "abc0123456789abcdef") << split;
  }
}

TEST(HttpChunkedDecoder, RejectsMalformedAndOversizedBodies) {
  auto status = [](std::string region, std::uint64_t max_body = 1024) {
    ParserLimits limits;
    limits.max_body_bytes = max_body;
    ChunkedDecoder decoder(limits);
    std::size_t size = region.size();
    return decoder.decode(region.data(), size) == ParseState::error ? decoder.error().status : 0;
  };
  EXPECT_EQ(status("zz\r\n"), 400);
  EXPECT_EQ(status("5x\r\nhello\r\n"), 400);
  EXPECT_EQ(status("5\nhello\r\n"), 400);
  EXPECT_EQ(status("5\r\nhelloXX"), 400);
  EXPECT_EQ(status("FFFFFFFFFFFFFFFFFF\r\n"), 413);
  EXPECT_EQ(status("11\r\n", 16), 413);
  EXPECT_EQ(status("8\r\n12345678\r\n9\r\n", 16), 413);
  EXPECT_EQ(status("0\r\nTrailer: x\n\r\n"), 400);
}

}  // namespace
}  // namespace tachyon::http
