// The test harness's child processes: a run's deadline holds even when the child never exits or leaves
// its output open (a hung `tachyon bench` once stalled a test until ctest's 120 s kill, with nothing said),
// and the run then reports what the child's threads were waiting on.
#include <gtest/gtest.h>

#include <chrono>

#include "support/child_process.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

TEST(ChildProcess, ARunPastItsDeadlineIsKilledAndSaysWhatItWasWaitingOn) {
  auto start = std::chrono::steady_clock::now();
  ChildRun run = run_child({.arguments = {"/bin/sh", "-c", "echo started; exec sleep 30"}}, "", 300ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, -9);
  EXPECT_EQ(run.standard_output, "started\n") << "what it wrote before the deadline is kept";
  EXPECT_NE(run.state_at_timeout.find(" sleep S "), std::string::npos) << run.state_at_timeout;
  EXPECT_LT(took, 10s);
}

TEST(ChildProcess, AGrandchildHoldingTheOutputOpenDoesNotOutlastTheDeadline) {
  // The child exits at once; what it started keeps the output pipe open for 3 s.
  auto start = std::chrono::steady_clock::now();
  ChildRun run = run_child({.arguments = {"/bin/sh", "-c", "sleep 3 & echo parent done"}}, "", 500ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(run.timed_out) << "the child itself exited";
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.standard_output, "parent done\n");
  EXPECT_LT(took, 2500ms);
}

TEST(ChildProcess, InputEnvironmentAndExitCodeReachTheChild) {
  ChildRun run = run_child({.arguments = {"/bin/sh", "-c", "read line; echo \"$line/$CHILD_TEST\" >&2; exit 3"},
                            .environment = {{"CHILD_TEST", "set"}}},
                           "hello\n", 10s);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.standard_error, "hello/set\n");
}

}  // namespace
}  // namespace tachyon::testing
