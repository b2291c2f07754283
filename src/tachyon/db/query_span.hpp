// Times the database work a handler waits for and counts the statements it runs, for the request's
// Server-Timing (`db;dur=0.210;desc="2 statements"`) and slow-request log.
#pragma once

#include <chrono>
#include <cstdint>

#include "tachyon/db/connection.hpp"

namespace tachyon::http {
struct Context;
}

namespace tachyon::db {

// Statements a job ran on a connection of another thread, counted there and read after it completed.
struct QueryMeasure {
  std::uint64_t statements = 0;
};

class QuerySpan {
 public:
  // Work inline on `connection`, which only this thread uses while the span lives (a reader).
  QuerySpan(const http::Context& context, const Connection& connection);
  // Work handed to another thread, which counts its statements into `measure`.
  QuerySpan(const http::Context& context, const QueryMeasure& measure);
  ~QuerySpan();
  QuerySpan(const QuerySpan&) = delete;
  QuerySpan& operator=(const QuerySpan&) = delete;

 private:
  const http::Context& context_;
  const Connection* connection_;
  const QueryMeasure* measure_;
  std::uint64_t statements_before_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tachyon::db
