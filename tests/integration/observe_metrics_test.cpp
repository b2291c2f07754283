// Observability of the real binary over TCP: /metrics content and formats, Server-Timing, traceparent in
// the access log, the slow-request log and the on-demand CPU profile.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "support/acme_support.hpp"
#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

constexpr std::string_view traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// Runs a shell command; returns its exit status and combined output.

std::string scrape(std::uint16_t port, std::string_view extra_headers = "") {
  auto response = request(port, get_request("/metrics", extra_headers));
  return response && response->status == 200 ? response->body : std::string();
}

class ObserveMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({"--access-log", "true"}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* ObserveMetrics::server_ = nullptr;

TEST_F(ObserveMetrics, CountsRequestsByRouteTemplateMethodAndStatusClass) {
  for (int index = 0; index < 3; ++index) ASSERT_TRUE(request(port(), get_request("/healthz")));
  ASSERT_TRUE(request(port(), get_request("/no/such/path/12345")));
  ASSERT_TRUE(request(port(), "BREW /healthz HTTP/1.1\r\nHost: test\r\n\r\n"));
  auto response = request(port(), get_request("/metrics"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response->body;
  EXPECT_NE(text.find("http_requests_total{method=\"GET\",status=\"2xx\",handler=\"/healthz\"} 3\n"), std::string::npos)
      << text;
  // Unmatched paths share one handler value, so a scan of random URLs cannot create series.
  EXPECT_NE(text.find("status=\"4xx\",handler=\"none\"}"), std::string::npos) << text;
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{method=\"GET\",handler=\"/healthz\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  for (std::string_view name :
       {"http_request_size_bytes_count", "http_response_size_bytes_sum", "http_requests_inprogress",
        "tachyon_connections_open", "tachyon_connections_accepted_total", "tachyon_connections_rejected_total",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds", "process_threads", "tachyon_build_info{version=\""}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
}

TEST_F(ObserveMetrics, OpenMetricsWhenAcceptedWithTraceExemplars) {
  ASSERT_TRUE(request(port(), get_request("/json", "traceparent: " + std::string(traceparent) + "\r\n")));
  auto response = request(port(), get_request("/metrics", "Accept: application/openmetrics-text;version=1.0.0\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("content-type"), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_TRUE(response->body.ends_with("# EOF\n"));
  EXPECT_NE(response->body.find("# TYPE http_requests counter\n"), std::string::npos);
  EXPECT_NE(response->body.find("handler=\"/json\",le=\"0.005\"} 1 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"} "),
            std::string::npos)
      << response->body;
}

TEST_F(ObserveMetrics, GzipWhenAccepted) {
  auto response = request(port(), get_request("/metrics", "Accept-Encoding: gzip\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("content-encoding"), "gzip");
  ASSERT_GT(response->body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(response->body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(response->body[1]), 0x8b);
  auto plain = request(port(), get_request("/metrics"));
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->has_header("content-encoding"));
}

TEST_F(ObserveMetrics, TraceparentIsLoggedAsTraceIdAndServerTimingIsOffByDefault) {
  auto response = request(port(), get_request("/healthz", "traceparent: " + std::string(traceparent) + "\r\n"));
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->has_header("server-timing"));
  auto invalid = request(port(), get_request("/plaintext", "traceparent: 00-XYZ-00f067aa0ba902b7-01\r\n"));
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 200);  // an invalid traceparent is ignored, never an error
  std::string output;
  for (int attempt = 0; attempt < 40; ++attempt) {  // access lines are flushed within a second
    output = server_->output();
    if (output.find("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(output.find("\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\""), std::string::npos);
}

TEST_F(ObserveMetrics, PromtoolAcceptsALiveScrape) {
  ASSERT_TRUE(have_program("promtool")) << "promtool not installed (scripts/install-deps.sh test)";
  ASSERT_TRUE(request(port(), get_request("/plaintext")));
  std::string text = scrape(port());
  ASSERT_FALSE(text.empty());
  std::string path = "/tmp/tachyon-scrape-" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << text;
  std::string output;
  int status = run_shell("promtool check metrics < " + path, output);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << output;
}

TEST(ObserveServerTiming, HeaderListsAppDurationWhenEnabled) {
  ServerProcess server({"--server-timing", "true"});
  auto response = request(server.port(), get_request("/json"));
  ASSERT_TRUE(response);
  std::string timing = response->header("server-timing");
  EXPECT_TRUE(timing.starts_with("app;dur=")) << timing;
}

TEST(ObserveMetricsOff, NoMetricsRouteWhenDisabled) {
  ServerProcess server({"--metrics", "false"});
  auto response = request(server.port(), get_request("/metrics"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST(ProfilingEndpoint, ProfileIsReadableByGooglePprofAndOneRunsAtATime) {
  ASSERT_TRUE(have_program("google-pprof")) << "google-pprof not installed (scripts/install-deps.sh test)";
  AcmeServer acme({"--profiling", "true", "--slow-request-ms", "500"});
  ServerProcess& server = acme.process();
  const std::string admin = "X-API-Key: " + acme.admin_key() + "\r\n";
  // Only the admin scope may profile.
  auto anonymous = request(server.port(), get_request("/debug/pprof/profile?seconds=1"));
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto profile = std::async(std::launch::async, [&] {
    return request(server.port(), get_request("/debug/pprof/profile?seconds=1", admin), 20s);
  });
  for (int attempt = 0; attempt < 100 && server.output().find("profiling started") == std::string::npos; ++attempt) {
    std::this_thread::sleep_for(10ms);
  }
  // While the profile runs the event loop keeps serving, and a second profile is refused.
  auto busy = request(server.port(), get_request("/debug/pprof/profile?seconds=1", admin));
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 409);
  // Some CPU work for the profiler to sample (at 100 Hz) while it runs; bounded in count.
  for (int index = 0; index < 5000 && profile.wait_for(0s) != std::future_status::ready; ++index) {
    request(server.port(), get_request("/json"));
  }
  auto response = profile.get();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  std::string path = "/tmp/tachyon-test-" + std::to_string(::getpid()) + ".prof";
  std::ofstream(path, std::ios::binary) << response->body;
  std::string output;
  int status = run_shell(std::string("google-pprof --text ") + TACHYON_BINARY + " " + path, output);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << output;  // a file that is not a profile exits 1 ("header size >= 2**16")
  EXPECT_EQ(output.find("header size"), std::string::npos) << output;
  // The profile request took over 500 ms: the slow-request log names it with its span breakdown.
  std::string log = server.wait_for_output("\"msg\":\"slow request\"");
  EXPECT_NE(log.find("\"msg\":\"slow request\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"route\":\"/debug/pprof/profile\""), std::string::npos);
  EXPECT_NE(log.find("\"spans\":\"app;dur="), std::string::npos);
  EXPECT_NE(log.find("\"subject\":\"apikey:"), std::string::npos) << "the slow log names who asked";
  EXPECT_NE(log.find("\"auth\":\"api_key\""), std::string::npos);
}

TEST(ProfilingEndpoint, AbsentUnlessEnabled) {
  ServerProcess server;
  auto response = request(server.port(), get_request("/debug/pprof/profile?seconds=1"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

}  // namespace
}  // namespace tachyon::testing
