// What runs a Database's work on a backend's connections: a job is one caller's read or write, run
// with a connection and completed back on the caller's executor. SQLite (sqlite_engine.hpp) answers
// reads inline on a per-thread connection and group-commits writes on one writer thread; PostgreSQL
// (postgres_engine.hpp) runs a loop's reads on that loop's pipelined connection and everything else on
// a pool of connections off the event loops, and with read replicas
// (replicated_engine.hpp) sends reads to a replica that has replayed the caller's own writes.
//
// A caller is who the work is for (a principal's subject or a client address; empty when unknown):
// engines that route reads by what a caller wrote read it, the others ignore it.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include "tachyon/db/connection.hpp"

namespace boost::asio {
class io_context;
}

namespace tachyon::db {

// One queued piece of work. The engine calls run() (again, after a serialization failure, when it
// retries), then fail() if the surrounding commit failed, then complete() exactly once.
class DatabaseJob {
 public:
  virtual ~DatabaseJob() = default;
  // Runs the work; false when it threw (the exception is kept for complete()).
  virtual bool run(Connection& connection) = 0;
  // The work's own exception, if its last run threw.
  virtual const std::exception_ptr& error() const = 0;
  virtual void clear_error() = 0;
  // The transaction around the work failed (commit, connection lost, acquire timeout).
  virtual void fail(std::exception_ptr error) = 0;
  // Resumes the waiting caller on its executor; the job may be destroyed right after.
  virtual void complete() = 0;
  // The work's transaction committed, and its WAL ends at or before `wal_position` (PostgreSQL engines
  // that track read-your-writes call it before complete()).
  virtual void committed(std::uint64_t /*wal_position*/) {}
  // The event loop the caller waits on, when it is one (its result is posted there), else null.
  virtual boost::asio::io_context* loop() const { return nullptr; }
};

class DatabaseEngine {
 public:
  virtual ~DatabaseEngine() = default;
  // This thread's read connection when reads answer inline (cheaper than any hand-off), else null.
  virtual Connection* inline_reader() = 0;
  // True when submit_read and submit_write use their caller (worth working out who it is).
  virtual bool routes_by_caller() const { return false; }
  // Runs `job` outside a transaction on a connection that serves reads and has seen `caller`'s writes.
  virtual void submit_read(std::unique_ptr<DatabaseJob> job, std::string_view caller) = 0;
  // Runs `job` outside a transaction on a connection that has every committed write (the primary).
  virtual void submit_primary_read(std::unique_ptr<DatabaseJob> job) { submit_read(std::move(job), {}); }
  // Runs `job` inside a transaction on a connection that writes, on behalf of `caller`.
  virtual void submit_write(std::unique_ptr<DatabaseJob> job, std::string_view caller) = 0;
  // Runs `job` on a writing connection with no transaction around it (start-up, migrations, the CLI).
  virtual void submit_direct(std::unique_ptr<DatabaseJob> job) = 0;
};

}  // namespace tachyon::db
