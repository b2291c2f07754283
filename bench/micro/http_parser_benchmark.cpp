// Our HeadParser against Boost.Beast's request_parser on the same bytes: a wrk-style request and a
// browser-style request with a dozen header fields. Justifies writing our own parser (see
// src/tachyon/http/request_parser.hpp); figures in BENCHMARKS.md.
#include <benchmark/benchmark.h>

#include <boost/beast/http.hpp>
#include <string>

#include "tachyon/http/request_parser.hpp"

namespace {

const std::string wrk_request = "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n";

const std::string browser_request =
    "GET /v1/products?category=books&sort=-price_cents&limit=20 HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: application/json, text/plain, */*\r\n"
    "Accept-Language: en-GB,en;q=0.7\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Referer: https://app.example.com/catalogue\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuvwxyz\r\n"
    "X-Request-ID: 3f2a9c1e-7b4d-4e8a-9f0b-1c2d3e4f5a6b\r\n"
    "Origin: https://app.example.com\r\n"
    "Connection: keep-alive\r\n"
    "Sec-Fetch-Dest: empty\r\n"
    "Sec-Fetch-Mode: cors\r\n"
    "Sec-Fetch-Site: same-site\r\n"
    "\r\n";

void tachyon_head_parser(benchmark::State& state, const std::string& text) {
  tachyon::http::ParserLimits limits;
  tachyon::http::HeadParser parser(limits);
  tachyon::http::Request request;
  for (auto _ : state) {
    parser.reset();
    auto result = parser.parse(text, request);
    benchmark::DoNotOptimize(result);
    benchmark::DoNotOptimize(request.path.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void beast_request_parser(benchmark::State& state, const std::string& text) {
  namespace beast_http = boost::beast::http;
  for (auto _ : state) {
    beast_http::request_parser<beast_http::empty_body> parser;  // one per request, as a server needs
    boost::beast::error_code error;
    parser.put(boost::asio::buffer(text), error);
    benchmark::DoNotOptimize(parser.is_header_done());
    benchmark::DoNotOptimize(parser.get().target().data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK_CAPTURE(tachyon_head_parser, wrk_request, wrk_request);
BENCHMARK_CAPTURE(beast_request_parser, wrk_request, wrk_request);
BENCHMARK_CAPTURE(tachyon_head_parser, browser_request, browser_request);
BENCHMARK_CAPTURE(beast_request_parser, browser_request, browser_request);

}  // namespace
