// PostgreSQL reads on the event loops: each loop keeps one non-blocking libpq connection per server, in
// pipeline mode, with its socket watched by the loop itself. A read's work runs on a stackful coroutine
// of the loop (db/loop_coroutine.hpp, on Boost.Context), so the same synchronous work functions that SQLite's
// inline readers run can suspend inside Statement::step() until their result arrives. Statements of
// concurrent requests on one loop go out back to back on the one connection and share round trips
// (pipelining); with pipelining off, one statement at a time is in flight there.
//
// Why here rather than on pool threads: a pool read costs two thread hand-offs (the loop wakes a pool
// thread, the pool thread wakes the loop) and a blocking round trip per statement; on the loop it costs a
// coroutine switch, and one read() can bring the results of several requests (BENCHMARKS.md §15).
// Writes and transactions stay on the pool (postgres_engine.hpp): a transaction needs a connection of
// its own, which a shared pipeline is not.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tachyon/db/database_engine.hpp"
#include "tachyon/db/postgres_session.hpp"

namespace boost::asio {
class io_context;
}

namespace tachyon::db {

struct PipelineSettings {
  PostgresConnectionOptions connection;
  bool pipelining = true;  // false: one statement in flight per loop connection
  std::string pool;        // the metrics' pool label ("primary", "replica0", ...)
};

// A unique number for each engine that runs reads on the loops: their connections are per engine.
std::uint64_t next_pipeline_owner();

// Runs `job` (a read, outside any transaction) on `loop`'s pipelined connection for `owner`, opening it
// first if needed, then calls the job's complete(). Called on the loop's own thread. A read that finds
// the connection dead before it got an answer (the server restarted while the connection sat idle) runs
// once more on a new one. The connection lives as long as the loop (an io_context service owns it).
void run_pipelined_read(boost::asio::io_context& loop, std::uint64_t owner,
                        std::shared_ptr<const PipelineSettings> settings, std::unique_ptr<DatabaseJob> job);

}  // namespace tachyon::db
