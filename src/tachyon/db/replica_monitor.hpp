// Watches PostgreSQL read replicas for the read router: every poll interval it reads the primary's
// WAL insert position and each replica's replayed position, works out each replica's lag in bytes
// and in seconds, and tells the router which replicas may take reads. Metrics:
// tachyon_db_replica_up, tachyon_db_replica_lag_bytes and tachyon_db_replica_lag_seconds, by replica.
//
// Lag in seconds is the age of the oldest primary position the replica has not replayed (from the
// monitor's own samples of the primary), not now() - pg_last_xact_replay_timestamp(): that one grows
// while the primary is idle and says a replica that has everything is minutes behind.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/db/postgres_connection.hpp"
#include "tachyon/db/read_router.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {

// A replica's lag from samples of the primary's position taken at known times (oldest first).
struct PositionSample {
  std::chrono::steady_clock::time_point at;
  std::uint64_t position = 0;
};
struct ReplicaLag {
  std::uint64_t bytes = 0;
  std::chrono::steady_clock::duration behind{};  // since the oldest sample the replica has not replayed
};
ReplicaLag replica_lag(const std::deque<PositionSample>& primary, std::uint64_t replayed,
                       std::chrono::steady_clock::time_point now);

struct ReplicaMonitorOptions {
  PostgresConnectionOptions primary;
  std::vector<PostgresConnectionOptions> replicas;
  std::vector<std::string> names;  // the metrics' replica label, one per replica
  std::chrono::milliseconds interval{100};
  std::chrono::milliseconds max_lag{10000};
};

class ReplicaMonitor {
 public:
  ReplicaMonitor(ReplicaMonitorOptions options, ReadRouter& router);
  ~ReplicaMonitor();
  ReplicaMonitor(const ReplicaMonitor&) = delete;
  ReplicaMonitor& operator=(const ReplicaMonitor&) = delete;

 private:
  // A gauge only this thread moves, set to a value by adding the difference to what it shows.
  struct ShownGauge {
    observe::Gauge gauge;
    double shown = 0;
    void set(double value) {
      gauge.add(value - shown);
      shown = value;
    }
  };
  struct Watched {
    std::unique_ptr<PostgresConnection> connection;
    ShownGauge up;
    ShownGauge lag_bytes;
    ShownGauge lag_seconds;
  };
  void run();
  void poll();
  // The integer `sql` returns on `connection` (opened first when needed), or nullopt when it failed.
  std::optional<std::uint64_t> query_position(std::unique_ptr<PostgresConnection>& connection,
                                              const PostgresConnectionOptions& options, const char* sql);

  ReplicaMonitorOptions options_;
  ReadRouter& router_;
  std::unique_ptr<PostgresConnection> primary_;
  std::vector<Watched> replicas_;
  std::deque<PositionSample> samples_;  // the primary's position, oldest first, over max_lag and a margin

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tachyon::db
