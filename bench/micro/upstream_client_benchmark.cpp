// The upstream client's cost per GET against the test stub on loopback (another thread): on a pooled
// keep-alive connection and on a fresh one, over HTTP and HTTPS (a fresh HTTPS call includes the
// handshake), and side by side with Boost.Beast's HTTP client (tcp_stream with a timeout, the same
// requests) on one keep-alive connection, on fresh connections, and with 16 requests in flight on 16
// connections. The figure that counts is `requests_per_cpu_second`: requests over the CPU time of the
// client's thread only (the stub runs on another), so it compares the clients and not the stub.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <time.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "support/test_certificate.hpp"
#include "support/upstream_stub.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace {

namespace asio = boost::asio;
using tachyon::testing::UpstreamStub;
using tachyon::testing::UpstreamStubOptions;
using tachyon::upstream::ClientOptions;
using tachyon::upstream::HttpClient;
using tachyon::upstream::Url;

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
constexpr int in_flight = 16;  // the "many connections" cases: this many requests at once, one connection each

double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Runs `io` (the client and its requests, already spawned) and reports requests per CPU-second of this
// thread.
void run_and_report(benchmark::State& state, asio::io_context& io, int requests_per_iteration) {
  double cpu_start = thread_cpu_seconds();
  io.run();
  double cpu = thread_cpu_seconds() - cpu_start;
  double requests = static_cast<double>(state.iterations()) * requests_per_iteration;
  state.SetItemsProcessed(static_cast<std::int64_t>(requests));
  state.counters["requests_per_cpu_second"] = cpu > 0 ? requests / cpu : 0;
}

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

asio::awaitable<void> tachyon_get(HttpClient& client, const Url& url) {
  std::string path = "/posts/42";
  tachyon::upstream::Response response = co_await client.get(url, std::move(path));
  if (response.status != 200) throw std::runtime_error("unexpected status");
  benchmark::DoNotOptimize(response.body.data());
}

asio::awaitable<void> get_loop(benchmark::State& state, HttpClient& client, const Url& url) {
  for (auto _ : state) co_await tachyon_get(client, url);
}

// Each iteration: `in_flight` GETs at once, each on its own pooled connection.
asio::awaitable<void> get_many_loop(benchmark::State& state, HttpClient& client, const Url& url) {
  auto executor = co_await asio::this_coro::executor;
  for (auto _ : state) {
    int answered = 0;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    for (int index = 0; index < in_flight; ++index) {
      asio::co_spawn(executor, tachyon_get(client, url), [&](std::exception_ptr error) {
        rethrow(error);
        if (++answered == in_flight) all_done.cancel();
      });
    }
    boost::system::error_code ignored;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

void run(benchmark::State& state, const UpstreamStub& stub, ClientOptions options, bool many = false) {
  asio::io_context io(1);
  HttpClient client(io.get_executor(), std::move(options));
  Url url = tachyon::upstream::parse_url(stub.url());
  if (many) {
    asio::co_spawn(io, get_many_loop(state, client, url), rethrow);
  } else {
    asio::co_spawn(io, get_loop(state, client, url), rethrow);
  }
  run_and_report(state, io, many ? in_flight : 1);
  state.counters["connections"] = static_cast<double>(client.counters().connections_opened);
}

// Boost.Beast: the same GET on `stream`, with the same 2 s response timeout as the upstream client.
asio::awaitable<void> beast_get(beast::tcp_stream& stream, beast::flat_buffer& buffer, const std::string& host) {
  beast_http::request<beast_http::empty_body> request{beast_http::verb::get, "/posts/42", 11};
  request.set(beast_http::field::host, host);
  stream.expires_after(std::chrono::seconds(2));
  co_await beast_http::async_write(stream, request, asio::use_awaitable);
  beast_http::response<beast_http::string_body> response;
  co_await beast_http::async_read(stream, buffer, response, asio::use_awaitable);
  if (response.result_int() != 200) throw std::runtime_error("unexpected status");
  benchmark::DoNotOptimize(response.body().data());
}

asio::awaitable<void> beast_loop(benchmark::State& state, asio::ip::tcp::endpoint endpoint, bool keep_alive) {
  std::string host = "127.0.0.1:" + std::to_string(endpoint.port());
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  for (auto _ : state) {
    if (!keep_alive || !stream.socket().is_open()) {
      if (stream.socket().is_open()) stream.socket().close();
      buffer.clear();
      stream.expires_after(std::chrono::seconds(1));
      co_await stream.async_connect(endpoint, asio::use_awaitable);
    }
    co_await beast_get(stream, buffer, host);
  }
}

// One connection of the "many" case: `rounds` GETs, one per iteration of the benchmark.
asio::awaitable<void> beast_connection(asio::ip::tcp::endpoint endpoint, std::vector<asio::steady_timer*>& turns,
                                       int index, int& answered, asio::steady_timer& round_done) {
  std::string host = "127.0.0.1:" + std::to_string(endpoint.port());
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  beast::flat_buffer buffer;
  co_await stream.async_connect(endpoint, asio::use_awaitable);
  asio::steady_timer turn(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  turns[static_cast<std::size_t>(index)] = &turn;
  while (true) {
    boost::system::error_code woken;
    co_await turn.async_wait(asio::redirect_error(asio::use_awaitable, woken));
    if (turns.empty()) co_return;  // the benchmark ended
    turn.expires_at(asio::steady_timer::time_point::max());
    co_await beast_get(stream, buffer, host);
    if (++answered == in_flight) round_done.cancel();
  }
}

asio::awaitable<void> beast_many_loop(benchmark::State& state, asio::ip::tcp::endpoint endpoint) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<asio::steady_timer*> turns(in_flight, nullptr);
  int answered = 0;
  asio::steady_timer round_done(executor, asio::steady_timer::time_point::max());
  for (int index = 0; index < in_flight; ++index) {
    asio::co_spawn(executor, beast_connection(endpoint, turns, index, answered, round_done), rethrow);
  }
  asio::steady_timer settle(executor);
  while (std::find(turns.begin(), turns.end(), nullptr) != turns.end()) {  // every connection open
    settle.expires_after(std::chrono::milliseconds(1));
    co_await settle.async_wait(asio::use_awaitable);
  }
  for (auto _ : state) {
    answered = 0;
    round_done.expires_at(asio::steady_timer::time_point::max());
    for (asio::steady_timer* turn : turns) turn->cancel();
    boost::system::error_code ignored;
    co_await round_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  std::vector<asio::steady_timer*> waiting = std::move(turns);
  turns.clear();
  for (asio::steady_timer* turn : waiting) turn->cancel();
}

asio::ip::tcp::endpoint stub_endpoint(const UpstreamStub& stub) {
  return {asio::ip::make_address("127.0.0.1"), stub.port()};
}

void beast_keep_alive_http(benchmark::State& state) {
  UpstreamStub stub;
  asio::io_context io(1);
  asio::co_spawn(io, beast_loop(state, stub_endpoint(stub), true), rethrow);
  run_and_report(state, io, 1);
}
void beast_fresh_connection_http(benchmark::State& state) {
  UpstreamStub stub;
  asio::io_context io(1);
  asio::co_spawn(io, beast_loop(state, stub_endpoint(stub), false), rethrow);
  run_and_report(state, io, 1);
}
void beast_many_connections_http(benchmark::State& state) {
  UpstreamStub stub;
  asio::io_context io(1);
  asio::co_spawn(io, beast_many_loop(state, stub_endpoint(stub)), rethrow);
  run_and_report(state, io, in_flight);
}
void many_connections_http(benchmark::State& state) {
  UpstreamStub stub;
  run(state, stub, {}, true);
}

UpstreamStubOptions tls_stub_options() {
  static const UpstreamStubOptions options = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "tachyon-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    auto files = tachyon::testing::make_self_signed_certificate(pattern, "server", {"localhost"}, {"127.0.0.1"});
    return UpstreamStubOptions{files.certificate, files.private_key};
  }();
  return options;
}

void keep_alive_http(benchmark::State& state) {
  UpstreamStub stub;
  run(state, stub, {});
}
void fresh_connection_http(benchmark::State& state) {
  UpstreamStub stub;
  run(state, stub, {.max_idle_connections_per_host = 0});
}
void keep_alive_https(benchmark::State& state) {
  UpstreamStub stub(tls_stub_options());
  run(state, stub, {.ca_file = tls_stub_options().certificate_file});
}
void fresh_connection_https(benchmark::State& state) {
  UpstreamStub stub(tls_stub_options());
  run(state, stub, {.max_idle_connections_per_host = 0, .ca_file = tls_stub_options().certificate_file});
}

BENCHMARK(keep_alive_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(beast_keep_alive_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(many_connections_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(beast_many_connections_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(beast_fresh_connection_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(fresh_connection_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(keep_alive_https)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(fresh_connection_https)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
