// The upstream client's cost per GET against the test stub on loopback (another thread): on a pooled
// keep-alive connection and on a fresh one, over HTTP and HTTPS (a fresh HTTPS call includes the
// handshake). Wall-clock time, so it includes the stub's share of the machine.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <stdexcept>

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

asio::awaitable<void> get_loop(benchmark::State& state, HttpClient& client, const Url& url) {
  for (auto _ : state) {
    std::string path = "/posts/42";
    tachyon::upstream::Response response = co_await client.get(url, std::move(path));
    if (response.status != 200) throw std::runtime_error("unexpected status");
    benchmark::DoNotOptimize(response.body.data());
  }
}

void run(benchmark::State& state, const UpstreamStub& stub, ClientOptions options) {
  asio::io_context io(1);
  HttpClient client(io.get_executor(), std::move(options));
  Url url = tachyon::upstream::parse_url(stub.url());
  asio::co_spawn(io, get_loop(state, client, url), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
  io.run();
  state.counters["connections"] = static_cast<double>(client.counters().connections_opened);
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
BENCHMARK(fresh_connection_http)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(keep_alive_https)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(fresh_connection_https)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
