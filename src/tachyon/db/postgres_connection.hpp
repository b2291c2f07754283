// One PostgreSQL connection through libpq, used by one thread at a time: statements written with `?`
// placeholders are rewritten to `$1..$n`, prepared once per connection and per parameter types (named
// server-side prepared statements), executed with text parameters, and their rows read one by one;
// SQLSTATE codes in the backend-neutral error classes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tachyon/db/connection.hpp"

struct pg_conn;
struct pg_result;

namespace tachyon::db {

struct PostgresConnectionOptions {
  std::string url;
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds slow_query_threshold{100};
};

// `sql` with each `?` outside string literals, quoted identifiers and comments replaced by `$1`, `$2` ...
std::string numbered_placeholders(std::string_view sql, int& parameters);

class PostgresConnection;

class PostgresStatement final : public StatementBackend {
 public:
  PostgresStatement(PostgresConnection& connection, std::string sql, std::string rewritten, int parameters,
                    bool cached);
  ~PostgresStatement() override;

  void bind_integer(int index, std::int64_t value) override;
  void bind_real(int index, double value) override;
  void bind_text(int index, std::string_view value) override;
  void bind_null(int index) override;
  bool step() override;
  std::int64_t integer(int column) const override;
  double real(int column) const override;
  std::string_view text(int column) const override;
  bool is_null(int column) const override;
  std::string_view sql() const override { return sql_; }
  void release() override;

  bool in_use = false;

 private:
  struct Parameter {
    std::optional<std::string> value;
    unsigned type = 0;  // a PostgreSQL type oid; 0 lets the server infer it (NULL)
  };
  Parameter& parameter(int index);

  PostgresConnection* connection_;
  std::string sql_;
  std::string rewritten_;
  std::vector<Parameter> parameters_;
  bool cached_;
  pg_result* result_ = nullptr;
  int row_ = -1;
};

class PostgresConnection final : public Connection {
 public:
  // Connects (blocking, bounded by the connect timeout). Throws DatabaseError (unavailable).
  explicit PostgresConnection(const PostgresConnectionOptions& options);
  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::postgresql; }
  Statement prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  int changes() const override { return changes_; }
  bool in_transaction() const override;
  std::string_view describe() const override { return description_; }

  // False once the server went away (the pool drops the connection then).
  bool healthy() const;
  std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }

 protected:
  std::string_view begin_statement() const override { return "BEGIN"; }

 private:
  friend class PostgresStatement;
  // The server-side statement for `rewritten` with these parameter types, prepared on first use.
  const std::string& prepared_name(const std::string& rewritten, const std::vector<unsigned>& types);
  // Throws the result's error (and clears it) unless its status is a success.
  void check(pg_result* result, std::string_view what);
  [[noreturn]] void fail_connection(std::string_view what) const;

  pg_conn* handle_ = nullptr;
  std::string description_;
  std::chrono::steady_clock::time_point opened_at_;
  StatementCache<PostgresStatement> statements_;
  std::unordered_map<std::string, std::string> prepared_;  // rewritten SQL + types -> statement name
  int changes_ = 0;
  bool broken_ = false;  // an error said the connection is gone
};

}  // namespace tachyon::db
