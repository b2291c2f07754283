// `tachyon bench` end to end: the real binary against servers the tests start themselves.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "support/loadgen_ground_truth_server.hpp"
#include "support/test_server.hpp"

namespace {

using namespace tachyon::testing;
using namespace std::chrono_literals;

std::string temporary_path(const std::string& name) {
  return "/tmp/tachyon_loadgen_" + std::to_string(::getpid()) + "_" + name;
}

std::string read_text(const std::string& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::string url(std::uint16_t port, const std::string& path = "/") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

struct Summary {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Summary(const std::string& path) : root(parser.load(path).value()) {}
  std::uint64_t count(const char* key) const { return root[key].get_uint64().value(); }
  double number(const char* key) const { return root[key].get_double().value(); }
  std::int64_t latency(const char* histogram, const char* key) const {
    return root[histogram][key].get_int64().value();
  }
};

TEST(LoadgenBenchCli, ClosedModelAgainstTachyonCountsEveryResponse) {
  ServerProcess server;
  std::string json = temporary_path("closed.json");
  CommandResult result =
      run_tachyon({"bench", "-c", "4", "-t", "2", "-d", "1s", "--json", json, url(server.port(), "/plaintext")});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("closed model"), std::string::npos);
  EXPECT_NE(result.standard_output.find("p99.99"), std::string::npos);
  Summary summary(json);
  EXPECT_GT(summary.count("requests"), 0u);
  EXPECT_EQ(summary.root["status_codes"]["200"].get_uint64().value(), summary.count("requests"));
  EXPECT_EQ(summary.count("errors"), 0u);
  EXPECT_EQ(summary.latency("latency", "count"), static_cast<std::int64_t>(summary.count("requests")));
  std::remove(json.c_str());
}

TEST(LoadgenBenchCli, ReportedLatencyMatchesTheServersExactDelay) {
  GroundTruthServer server({.delay = 20ms});
  std::string json = temporary_path("delay.json");
  std::string hgrm = temporary_path("delay.hgrm");
  CommandResult result =
      run_tachyon({"bench", "-c", "4", "-t", "1", "-d", "1s", "--json", json, "--hgrm", hgrm, url(server.port())});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  Summary summary(json);
  // Every response the server wrote was counted, and no other.
  EXPECT_EQ(summary.count("requests"), server.responses());
  auto server_times = server.handling_times();
  std::sort(server_times.begin(), server_times.end());
  ASSERT_FALSE(server_times.empty());
  std::int64_t server_median = server_times[server_times.size() / 2];
  std::int64_t reported_median = summary.latency("latency", "p50_us");
  // A response cannot arrive before the server sent it; the upper bound is generous so a loaded
  // machine never fails it (precise accuracy is measured in bench/). The generator's arrival is
  // the kernel's receive stamp, taken inside the server's send(), so it may precede the server's
  // own end time (read after send() returned) by that call's duration.
  EXPECT_GE(reported_median, 20'000);
  EXPECT_GE(reported_median, server_median - 1'000);
  EXPECT_LT(reported_median, server_median + 100'000);
  EXPECT_EQ(summary.root["arrival_times"].get_string().value(), "kernel");
  std::string distribution = read_text(hgrm);
  EXPECT_NE(distribution.find("Value     Percentile TotalCount"), std::string::npos);
  EXPECT_NE(distribution.find("Total count    ="), std::string::npos);
  std::remove(json.c_str());
  std::remove(hgrm.c_str());
}

// --timestamps user: the generator's clock after the read, as wrk does; still never below the delay.
TEST(LoadgenBenchCli, UserClockArrivalsAreOfferedAndReported) {
  GroundTruthServer server({.delay = 20ms});
  std::string json = temporary_path("user-clock.json");
  CommandResult result = run_tachyon(
      {"bench", "-c", "2", "-t", "1", "-d", "500ms", "--timestamps", "user", "--json", json, url(server.port())});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("arrivals  generator clock"), std::string::npos) << result.standard_output;
  Summary summary(json);
  EXPECT_EQ(summary.root["arrival_times"].get_string().value(), "user");
  EXPECT_EQ(summary.count("requests"), server.responses());
  EXPECT_GE(summary.latency("latency", "p50_us"), 20'000);
  std::remove(json.c_str());
}

TEST(LoadgenBenchCli, ChunkedResponsesAndPipeliningAreParsed) {
  GroundTruthServer server({.chunked = true});
  std::string json = temporary_path("chunked.json");
  CommandResult result = run_tachyon(
      {"bench", "-c", "2", "-t", "1", "-d", "500ms", "--pipeline", "4", "--json", json, url(server.port())});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  Summary summary(json);
  EXPECT_GT(summary.count("requests"), 0u);
  EXPECT_EQ(summary.count("requests"), server.responses());
  EXPECT_EQ(summary.count("errors"), 0u);
  std::remove(json.c_str());
}

TEST(LoadgenBenchCli, FixedRateRunCorrectsForCoordinatedOmission) {
  // The server freezes for 1 s, one second into a 3 s run at 1,000 req/s: the requests due during
  // the freeze waited up to a second, though each was answered quickly once it got a connection.
  GroundTruthServer server({.stall_after = 1000ms, .stall_for = 1000ms});
  std::string json = temporary_path("stall.json");
  CommandResult result = run_tachyon(
      {"bench", "-c", "8", "-t", "1", "-d", "3s", "--rate", "1000", "--json", json, url(server.port())}, {}, 30s);
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("coordinated omission corrected"), std::string::npos);
  Summary summary(json);
  std::int64_t corrected = summary.latency("latency", "p99_us");
  std::int64_t uncorrected = summary.latency("latency_uncorrected", "p99_us");
  EXPECT_GE(corrected, 10 * uncorrected) << "corrected " << corrected << " uncorrected " << uncorrected;
  EXPECT_GE(corrected, 500'000);
  EXPECT_GT(summary.count("late_sends"), 0u);
  EXPECT_EQ(summary.count("dropped"), 0u);
  std::remove(json.c_str());
}

TEST(LoadgenBenchCli, ThresholdsDecideTheExitCode) {
  GroundTruthServer server({.delay = 2ms});
  std::vector<std::string> base = {"bench", "-c", "2", "-t", "1", "-d", "500ms", url(server.port())};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.begin(), base.begin(), base.end());
    return run_tachyon(extra);
  };
  CommandResult passing = with({"--threshold", "error_rate<1%", "--threshold", "rps>1", "--threshold", "p50>=2ms"});
  EXPECT_EQ(passing.exit_code, 0) << passing.standard_output;
  EXPECT_NE(passing.standard_output.find("passed"), std::string::npos);
  CommandResult failing = with({"--threshold", "rps>1", "--threshold", "p50<1us"});
  EXPECT_EQ(failing.exit_code, 1) << failing.standard_output;
  EXPECT_NE(failing.standard_output.find("FAILED"), std::string::npos);
  EXPECT_EQ(with({"--threshold", "p50<soon"}).exit_code, 2);
}

TEST(LoadgenBenchCli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(run_tachyon({"bench"}).exit_code, 2);
  EXPECT_EQ(run_tachyon({"bench", "-c", "0", "http://127.0.0.1:1/"}).exit_code, 2);
  EXPECT_EQ(run_tachyon({"bench", "--stages", "10s", "http://127.0.0.1:1/"}).exit_code, 2);
  EXPECT_EQ(run_tachyon({"bench", "ftp://127.0.0.1/"}).exit_code, 2);
  EXPECT_EQ(run_tachyon({"bench", "--timestamps", "wall", "http://127.0.0.1:1/"}).exit_code, 2);
}

TEST(LoadgenBenchCli, RefusedConnectionsAreCountedAsErrors) {
  // Port 1 on loopback: nothing listens there in the test environment.
  std::string json = temporary_path("refused.json");
  CommandResult result =
      run_tachyon({"bench", "-c", "2", "-t", "1", "-d", "300ms", "--json", json, "http://127.0.0.1:1/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  Summary summary(json);
  EXPECT_EQ(summary.count("requests"), 0u);
  EXPECT_GT(summary.root["errors_by_kind"]["connect"].get_uint64().value(), 0u);
  std::remove(json.c_str());
}

TEST(LoadgenBenchCli, CompareReportsRatiosOfTwoRuns) {
  GroundTruthServer fast({.delay = 1ms});
  GroundTruthServer slow({.delay = 10ms});
  std::string first = temporary_path("compare_a.json");
  std::string second = temporary_path("compare_b.json");
  ASSERT_EQ(run_tachyon({"bench", "-c", "2", "-t", "1", "-d", "500ms", "--json", first, url(fast.port())}).exit_code,
            0);
  ASSERT_EQ(run_tachyon({"bench", "-c", "2", "-t", "1", "-d", "500ms", "--json", second, url(slow.port())}).exit_code,
            0);
  CommandResult result = run_tachyon({"bench", "compare", first, second});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_NE(result.standard_output.find("B/A"), std::string::npos);
  EXPECT_NE(result.standard_output.find("req/s"), std::string::npos);
  EXPECT_NE(result.standard_output.find("latency p50"), std::string::npos);
  EXPECT_NE(result.standard_output.find("x\n"), std::string::npos);
  EXPECT_EQ(run_tachyon({"bench", "compare", first, "/nonexistent.json"}).exit_code, 2);
  std::remove(first.c_str());
  std::remove(second.c_str());
}

}  // namespace
