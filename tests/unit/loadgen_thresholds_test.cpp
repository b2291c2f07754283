#include <gtest/gtest.h>

#include <string>

#include "tachyon/loadgen/summary.hpp"
#include "tachyon/loadgen/thresholds.hpp"

namespace {

using namespace tachyon::loadgen;

RunResult sample_run() {
  RunResult result;
  result.elapsed_seconds = 2.0;
  for (int index = 1; index <= 1000; ++index) result.stats.latency.record(index * 100);  // 0.1 .. 100 ms
  result.stats.completed = 1000;
  result.stats.status_counts[200] = 990;
  result.stats.status_counts[503] = 10;
  return result;
}

bool passes(const std::string& text) {
  std::string error;
  auto threshold = parse_threshold(text, error);
  EXPECT_TRUE(threshold) << text << ": " << error;
  return threshold && evaluate_threshold(*threshold, sample_run()).passed;
}

TEST(LoadgenThresholds, LatencyPercentilesInEachUnit) {
  EXPECT_TRUE(passes("p95<200ms"));
  EXPECT_FALSE(passes("p95 < 90ms"));  // p95 is 95 ms
  EXPECT_TRUE(passes("p50<=50100us"));
  EXPECT_TRUE(passes("p99.9<1s"));
  EXPECT_FALSE(passes("max<99ms"));
  EXPECT_TRUE(passes("mean>40"));  // milliseconds by default
}

TEST(LoadgenThresholds, ErrorRateAndThroughput) {
  EXPECT_FALSE(passes("error_rate<0.1%"));  // 10 of 1000 answered 503
  EXPECT_TRUE(passes("error_rate<2%"));
  EXPECT_TRUE(passes("error_rate<0.02"));
  EXPECT_TRUE(passes("rps>499"));  // 1000 in 2 s
  EXPECT_FALSE(passes("rps>=501"));
}

TEST(LoadgenThresholds, MalformedThresholdsAreRejected) {
  for (const char* text : {"p95", "latency<3ms", "p95<fast", "p95<3parsecs", "error_rate<3ms", "p101<1s"}) {
    std::string error;
    EXPECT_FALSE(parse_threshold(text, error)) << text;
    EXPECT_FALSE(error.empty()) << text;
  }
}

}  // namespace
