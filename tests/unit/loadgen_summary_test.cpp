#include <gtest/gtest.h>

#include "tachyon/loadgen/summary.hpp"

namespace {

using namespace tachyon::loadgen;

RunResult run_with(std::vector<double> thread_cpu_seconds, double elapsed_seconds) {
  RunResult result;
  result.elapsed_seconds = elapsed_seconds;
  result.thread_cpu_seconds = thread_cpu_seconds;
  for (double seconds : thread_cpu_seconds) result.generator_cpu_seconds += seconds;
  result.threads = static_cast<int>(thread_cpu_seconds.size());
  return result;
}

TEST(LoadgenSaturationWarning, NamesTheGeneratorThreadThatWasBusyAllRun) {
  // One of two threads saturated: the process as a whole used only about half of two cores.
  auto warning = saturation_warning(run_with({9.7, 2.0}, 10.0), 2);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("thread(s) 0 (97%)"), std::string::npos) << *warning;
}

TEST(LoadgenSaturationWarning, WarnsWhenThreadsTogetherFillTheMachine) {
  auto warning = saturation_warning(run_with({0.8, 0.8, 0.8}, 1.0), 2);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("120%"), std::string::npos) << *warning;
}

TEST(LoadgenSaturationWarning, StaysQuietWhileThreadsHaveHeadroom) {
  EXPECT_FALSE(saturation_warning(run_with({5.0, 6.0}, 10.0), 2));
}

TEST(LoadgenSummary, TerminalSummaryHasAPerStatusTable) {
  RunResult result = run_with({0.1}, 1.0);
  result.stats.completed = 4;
  result.stats.status_counts[200] = 3;
  result.stats.status_counts[503] = 1;
  result.stats.status_latency[200].record(100);
  result.stats.status_latency[503].record(2000);
  LoadOptions options;
  std::string summary = format_summary(result, {"http://x/", &options});
  EXPECT_NE(summary.find("per status"), std::string::npos);
  EXPECT_NE(summary.find("200            3 responses  75.00%"), std::string::npos) << summary;
  EXPECT_NE(summary.find("503            1 responses  25.00%  p50    2.00ms"), std::string::npos) << summary;
}

}  // namespace
