// One PostgreSQL connection through blocking libpq, used by one thread at a time (a pool thread, the
// CLI, the replica monitor): each statement is prepared once per connection and parameter types, then
// executed and waited for (postgres_session.hpp has what statements are). Also what opening any
// connection shares: its libpq keywords, notice handling and description.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tachyon/db/postgres_session.hpp"

struct pg_conn;
struct pg_result;

namespace tachyon::db {

// libpq's connection keywords for `options`: the URL (any connection string), the connect timeout in
// whole seconds, and application_name=tachyon.
class PostgresConnectParameters {
 public:
  explicit PostgresConnectParameters(const PostgresConnectionOptions& options);
  const char* const* keywords() const { return keywords_; }
  const char* const* values() const { return values_; }

 private:
  static constexpr const char* keywords_[] = {"dbname", "connect_timeout", "application_name", nullptr};
  std::string url_;
  std::string connect_timeout_;
  const char* values_[4];
};

// What every opened connection gets: server WARNINGs to the log, NOTICEs dropped.
void prepare_opened_connection(pg_conn* handle);
// "postgresql://host:port/database" (never the password), for the slow-query log.
std::string describe_connection(pg_conn* handle);
// Finishes `handle` and throws DatabaseError (unavailable) with libpq's reason.
[[noreturn]] void throw_connect_failure(pg_conn* handle);

class PostgresConnection final : public PostgresSession {
 public:
  // Connects (blocking, bounded by the connect timeout). Throws DatabaseError (unavailable).
  explicit PostgresConnection(const PostgresConnectionOptions& options);
  ~PostgresConnection() override;

  void execute_script(std::string_view sql) override;
  bool in_transaction() const override;
  std::string_view describe() const override { return description_; }

  // False once the server went away (the pool drops the connection then).
  bool healthy() const;
  std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }

 protected:
  std::string_view begin_statement() const override { return "BEGIN"; }

 private:
  // Prepares the statement on first use (named server-side statements), then executes it.
  pg_result* run_prepared(const PostgresExecution& execution) override;

  pg_conn* handle_ = nullptr;
  std::string description_;
  std::chrono::steady_clock::time_point opened_at_;
  std::unordered_map<std::string, std::string> prepared_;  // PostgresExecution::prepared_key -> statement name
  bool broken_ = false;                                    // an error said the connection is gone
};

}  // namespace tachyon::db
