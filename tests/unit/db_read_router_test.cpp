// The read router's rule for PostgreSQL read replicas: a read goes to a usable replica that has
// replayed its caller's last write (or, without a caller, this instance's last write), else to the
// primary; entries go once replayed everywhere or too old to matter, and never grow without bound.
// And the replica monitor's lag in seconds: the age of the oldest primary position not yet replayed.
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>

#include "tachyon/db/read_router.hpp"
#include "tachyon/db/replica_monitor.hpp"

namespace tachyon::db {
namespace {

using namespace std::chrono_literals;
using Clock = ReadRouter::Clock;

const Clock::time_point start = Clock::now();

TEST(ReadRouter, NoReplicaIsUsedBeforeTheMonitorReportsIt) {
  ReadRouter router(1, 10s);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::primary_no_replica);
  router.replica_state(0, 100, true, start);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::replica);
}

TEST(ReadRouter, ACallerWaitsForItsOwnWriteOnlyAndOthersKeepTheReplica) {
  ReadRouter router(1, 10s);
  router.replica_state(0, 100, true, start);
  router.wrote("user:1", 150, start);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::primary_behind);
  EXPECT_EQ(router.choose("user:2", start).target, ReadTarget::replica);
  EXPECT_EQ(router.choose("", start).target, ReadTarget::primary_behind) << "a read without a caller sees every write";
  router.replica_state(0, 150, true, start + 100ms);
  EXPECT_EQ(router.choose("user:1", start + 100ms).target, ReadTarget::replica);
  EXPECT_EQ(router.choose("", start + 100ms).target, ReadTarget::replica);
  EXPECT_EQ(router.tracked_callers(), 0u) << "replayed everywhere: nothing left to remember";
}

TEST(ReadRouter, TheCallersLatestWriteCountsAndReplayNeverGoesBack) {
  ReadRouter router(1, 10s);
  router.replica_state(0, 100, true, start);
  router.wrote("user:1", 300, start);
  router.wrote("user:1", 200, start);  // a write that committed earlier but reported later
  router.replica_state(0, 250, true, start);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::primary_behind);
  router.replica_state(0, 50, true, start);  // a stale report
  router.replica_state(0, 300, true, start);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::replica);
}

TEST(ReadRouter, PicksAReplicaThatHasTheWriteAndSkipsOnesThatFailed) {
  ReadRouter router(2, 10s);
  router.replica_state(0, 100, true, start);
  router.replica_state(1, 200, true, start);
  router.wrote("user:1", 150, start);
  for (int attempt = 0; attempt < 4; ++attempt) {
    ReadChoice choice = router.choose("user:1", start);
    ASSERT_EQ(choice.target, ReadTarget::replica);
    EXPECT_EQ(choice.replica, 1u);
  }
  std::set<std::size_t> used;
  for (int attempt = 0; attempt < 4; ++attempt) used.insert(router.choose("user:2", start).replica);
  EXPECT_EQ(used.size(), 2u) << "callers with nothing pending spread over both";

  router.replica_failed(1);
  EXPECT_EQ(router.choose("user:1", start).target, ReadTarget::primary_behind);
  router.replica_failed(0);
  EXPECT_EQ(router.choose("user:2", start).target, ReadTarget::primary_no_replica);
  router.replica_state(0, 100, false, start);  // answers, but lags too far
  EXPECT_EQ(router.choose("user:2", start).target, ReadTarget::primary_no_replica);
  router.replica_state(0, std::nullopt, true, start);  // did not answer
  EXPECT_EQ(router.choose("user:2", start).target, ReadTarget::primary_no_replica);
}

TEST(ReadRouter, AnEntryLapsesOnceNoUsableReplicaCanStillLackIt) {
  ReadRouter router(1, 10s);
  router.replica_state(0, 100, true, start);
  router.wrote("user:1", ~std::uint64_t{0}, start);  // a commit whose position could not be read
  EXPECT_EQ(router.choose("user:1", start + 9s).target, ReadTarget::primary_behind);
  EXPECT_EQ(router.choose("user:1", start + 11s).target, ReadTarget::replica);
  EXPECT_EQ(router.choose("", start + 11s).target, ReadTarget::replica);
  router.replica_state(0, 100, true, start + 11s);
  EXPECT_EQ(router.tracked_callers(), 0u);
}

TEST(ReadRouter, ManyCallersFoldIntoOneFloorInsteadOfGrowing) {
  ReadRouter router(1, 10s, 4);
  router.replica_state(0, 100, true, start);
  for (int caller = 0; caller < 10; ++caller) router.wrote("user:" + std::to_string(caller), 200 + caller, start);
  EXPECT_LE(router.tracked_callers(), 4u);
  for (int caller = 0; caller < 10; ++caller) {
    EXPECT_EQ(router.choose("user:" + std::to_string(caller), start).target, ReadTarget::primary_behind)
        << "caller " << caller << " still reads its write";
  }
  EXPECT_EQ(router.choose("user:99", start).target, ReadTarget::primary_behind) << "the floor binds everyone";
  router.replica_state(0, 209, true, start);
  EXPECT_EQ(router.choose("user:9", start).target, ReadTarget::replica);
}

TEST(ReplicaLag, IsTheAgeOfTheOldestPrimaryPositionNotReplayed) {
  std::deque<PositionSample> primary{{start, 100}, {start + 1s, 200}, {start + 2s, 300}};
  ReplicaLag caught_up = replica_lag(primary, 300, start + 3s);
  EXPECT_EQ(caught_up.bytes, 0u);
  EXPECT_EQ(caught_up.behind, Clock::duration::zero()) << "an idle primary is no lag";
  ReplicaLag behind = replica_lag(primary, 150, start + 3s);
  EXPECT_EQ(behind.bytes, 150u);
  EXPECT_EQ(behind.behind, 2s) << "position 200 was reached at start + 1s and is not replayed";
  EXPECT_EQ(replica_lag({}, 150, start).bytes, 0u);
}

}  // namespace
}  // namespace tachyon::db
