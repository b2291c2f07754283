// Which connection a read goes to when PostgreSQL has read replicas, so that a caller reads its own
// writes: each write's commit position (the WAL byte offset its commit ended at or before) is kept per
// caller, each replica's replayed position comes from the replica monitor, and a read goes to a usable
// replica that has replayed its caller's last write, or to the primary when none has.
//
// Why positions rather than "the primary for N seconds after a write": a fixed window is either longer
// than the lag (reads that could have used a replica go to the primary) or shorter (a stale read after a
// lag spike); comparing positions is exact whatever the lag, and costs one query after each commit.
// Nothing waits: a replica that is behind is skipped, never waited for.
//
// Memory is bounded whatever callers do: an entry goes once every usable replica has replayed it, or
// when it is older than the lag a usable replica may have (such a replica has replayed everything
// older), and past `max_callers` entries all of them fold into one floor every caller must reach.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tachyon/core/string_hash.hpp"

namespace tachyon::db {

enum class ReadTarget { replica, primary_behind, primary_no_replica };

struct ReadChoice {
  ReadTarget target = ReadTarget::primary_no_replica;
  std::size_t replica = 0;  // when target is replica
};

class ReadRouter {
 public:
  using Clock = std::chrono::steady_clock;
  // `entry_lifetime`: how long after its commit a write may still be missing on a usable replica (the
  // largest lag a replica takes reads at, plus the monitor's staleness).
  ReadRouter(std::size_t replicas, Clock::duration entry_lifetime, std::size_t max_callers = 100'000);

  // A write by `caller` (empty: anonymous) committed at or before `position`; every read without a
  // caller must see it too (what this instance wrote).
  void wrote(std::string_view caller, std::uint64_t position, Clock::time_point now = Clock::now());
  // The monitor's latest word on a replica: its replayed position, or nullopt when it did not answer;
  // `usable` false when it lags too far to take reads.
  void replica_state(std::size_t replica, std::optional<std::uint64_t> replayed, bool usable,
                     Clock::time_point now = Clock::now());
  // A read on the replica failed for want of a connection: no reads there until the monitor sees it again.
  void replica_failed(std::size_t replica);

  // Where a read by `caller` goes (empty caller: one that must see everything this instance wrote).
  ReadChoice choose(std::string_view caller, Clock::time_point now = Clock::now());

  std::size_t tracked_callers() const;

 private:
  struct Pending {
    std::uint64_t position = 0;
    Clock::time_point expires{};
  };
  struct Replica {
    std::uint64_t replayed = 0;
    bool usable = false;
  };
  static std::uint64_t required(const Pending& pending, Clock::time_point now) {
    return now < pending.expires ? pending.position : 0;
  }
  void prune(Clock::time_point now);

  Clock::duration entry_lifetime_;
  std::size_t max_callers_;
  mutable std::mutex mutex_;
  std::vector<Replica> replicas_;
  std::unordered_map<std::string, Pending, core::TransparentStringHash, std::equal_to<>> callers_;
  Pending latest_;        // this instance's last write: what reads without a caller must see
  Pending floor_;         // what every caller must see since the callers folded (max_callers reached)
  std::size_t next_ = 0;  // round robin among the replicas that qualify
};

}  // namespace tachyon::db
