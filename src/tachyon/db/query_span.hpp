// Times the database work a handler does inline on its event loop and counts the statements it runs,
// for the request's Server-Timing (`db;dur=0.210;desc="2 statements"`) and slow-request log.
#pragma once

#include <chrono>
#include <cstdint>

#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::http {
struct Context;
}

namespace tachyon::db {

class QuerySpan {
 public:
  // `connection` must be used only by this thread while the span lives (a reader is).
  QuerySpan(const http::Context& context, const Connection& connection);
  ~QuerySpan();
  QuerySpan(const QuerySpan&) = delete;
  QuerySpan& operator=(const QuerySpan&) = delete;

 private:
  const http::Context& context_;
  const Connection& connection_;
  std::uint64_t statements_before_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tachyon::db
