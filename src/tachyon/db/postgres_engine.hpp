// PostgreSQL's engine. Reads from an event loop run on that loop, on its own pipelined connection
// (postgres_pipeline.hpp). Everything else (writes, transactions, work from other threads) runs on a
// pool of connections, each worked by a thread of its own with libpq in blocking mode, so the event
// loops only queue work and are resumed with the answer. Writes
// run in a transaction each and run again when they lose a serialization race or a deadlock (a bounded
// number of times). Work that waits longer than the acquire timeout for a connection fails as
// unavailable (503 with Retry-After), never queues forever; a connection is reopened when the server
// dropped it or when it reached its maximum lifetime; while the server is unreachable work fails at
// once, and one connection attempt per second finds out when it is back.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/db/database_engine.hpp"
#include "tachyon/db/postgres_connection.hpp"
#include "tachyon/db/postgres_options.hpp"
#include "tachyon/db/postgres_pipeline.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {

// The WAL position a write's commit record ends at or before (read on its connection right after
// COMMIT), as a byte offset: what a replica must have replayed for the write to be visible there.
std::uint64_t wal_insert_position(Connection& connection);
// What DatabaseJob::committed hears when the position could not be read (the connection died after COMMIT).
inline constexpr std::uint64_t unknown_wal_position = ~std::uint64_t{0};

class PostgresEngine final : public DatabaseEngine {
 public:
  // `pool` names this pool in the metrics ("primary", "replica0", ...). With `reports_commit_positions`
  // each write's job hears where its commit ended (DatabaseJob::committed).
  explicit PostgresEngine(PostgresOptions options, std::string pool = "primary", bool reports_commit_positions = false);
  ~PostgresEngine() override;

  Connection* inline_reader() override { return nullptr; }
  void submit_read(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_write(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_direct(std::unique_ptr<DatabaseJob> job) override;

 private:
  enum class Mode { read, write, direct };
  struct QueuedJob {
    std::unique_ptr<DatabaseJob> job;
    Mode mode;
    std::chrono::steady_clock::time_point queued_at;
  };

  void submit(std::unique_ptr<DatabaseJob> job, Mode mode);
  // One pool thread's connection and the generation it was opened in.
  struct PooledConnection {
    std::unique_ptr<PostgresConnection> connection;
    std::uint64_t generation = 0;
  };
  void work();  // one pool thread
  // This thread's connection, opened or reopened as needed; throws DatabaseError (unavailable).
  PostgresConnection& connection_for(PooledConnection& pooled);
  // Runs the job; when the connection turns out dead before any of its work ran (the server restarted
  // while it sat idle), every connection of the pool is stale: drop this one and run the job again once
  // on a fresh one.
  void run_with_fresh_connection_on_loss(QueuedJob& queued, PooledConnection& pooled);
  void run(QueuedJob& queued, PostgresConnection& connection);
  void run_write(DatabaseJob& job, PostgresConnection& connection);
  void report_commit_position(DatabaseJob& job, PostgresConnection& connection);

  PostgresOptions options_;
  PostgresConnectionOptions connection_options_;
  std::uint64_t pipeline_owner_ = next_pipeline_owner();
  std::shared_ptr<const PipelineSettings> pipeline_settings_;
  bool reports_commit_positions_;
  observe::Gauge in_use_;
  observe::Gauge idle_;
  observe::Gauge waiting_;
  observe::Histogram acquire_seconds_;
  observe::Counter acquire_timeouts_;
  observe::Counter retries_;

  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<QueuedJob> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point unreachable_until_{};  // after a failed connect: fail fast until then
  // Bumped when a connection is found dead: connections of an older generation are reopened before use,
  // so after a server restart each pool thread does not fail one request of its own to find out.
  std::atomic<std::uint64_t> generation_{1};
  std::vector<std::thread> threads_;
};

}  // namespace tachyon::db
