#include "tachyon/db/connection.hpp"

#include "tachyon/db/database_metrics.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::db {

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_), backend_(other.backend_), stepped_(other.stepped_), started_(other.started_) {
  other.backend_ = nullptr;
}

Statement::~Statement() {
  if (backend_ == nullptr) return;
  if (stepped_) connection_->on_statement_finished(backend_->sql(), std::chrono::steady_clock::now() - started_);
  backend_->release();
}

bool Statement::step() {
  if (!stepped_) {
    stepped_ = true;
    started_ = std::chrono::steady_clock::now();
    connection_->on_statement_started();
  }
  return backend_->step();
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::run_returning_id() {
  if (!step()) throw DatabaseError(ErrorClass::other, 0, "an INSERT ... RETURNING id gave no row");
  std::int64_t id = integer(0);
  run();
  return id;
}

Connection::Connection(std::chrono::milliseconds slow_query_threshold) : slow_query_threshold_(slow_query_threshold) {
  database_metrics();  // every series exists from the first connection on
}

void Connection::on_statement_finished(std::string_view sql, std::chrono::steady_clock::duration elapsed) {
  const DatabaseMetrics& metrics = database_metrics();
  metrics.statement_seconds[static_cast<int>(operation_of(sql))].observe(
      std::chrono::duration<double>(elapsed).count());
  if (elapsed < slow_query_threshold_) return;
  metrics.slow_statements.add();
  // The SQL text with its placeholders: bound values (which may be personal data) never reach the log.
  observe::log_warn("slow query", {{"sql", sql},
                                   {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
                                   {"database", describe()}});
}

}  // namespace tachyon::db
