// What a PostgreSQL statement runs on, whichever way it reaches the server: statements written with `?`
// placeholders are rewritten to `$1..$n`, bound as text parameters with their types, executed as named
// server-side prepared statements, and their rows read one by one. A session is a Connection; how one
// execution reaches the server is its subclass's business: blocking libpq on a pool thread
// (postgres_connection.hpp) or a shared pipelined connection on an event loop (postgres_pipeline.hpp).
// Errors carry SQLSTATE codes in the backend-neutral classes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
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

// One execution's request: the rewritten SQL, each parameter's type oid (0: inferred) and text value
// (null: SQL NULL).
struct PostgresExecution {
  const std::string& sql;
  const std::vector<unsigned>& types;
  const std::vector<const char*>& values;
  // The key naming the prepared form of `sql` with these types on a connection.
  std::string prepared_key() const;
};

// Throws the DatabaseError that `result` (null: no answer) reports, after clearing it, unless it
// succeeded; `broken` is set when the error means the connection is gone.
void throw_unless_succeeded(pg_conn* handle, pg_result* result, std::string_view what, bool& broken);

class PostgresSession;

class PostgresStatement final : public StatementBackend {
 public:
  PostgresStatement(PostgresSession& session, std::string sql, std::string rewritten, int parameters, bool cached);
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

  PostgresSession* session_;
  std::string sql_;
  std::string rewritten_;
  std::vector<Parameter> parameters_;
  bool cached_;
  pg_result* result_ = nullptr;
  int row_ = -1;
};

class PostgresSession : public Connection {
 public:
  using Connection::Connection;
  ~PostgresSession() override;

  Dialect dialect() const override { return Dialect::postgresql; }
  Statement prepare(std::string_view sql) override;
  int changes() const override { return changes_; }

 protected:
  friend class PostgresStatement;
  // Runs `execution` and returns its successful result (the caller clears it); throws DatabaseError.
  virtual pg_result* run_prepared(const PostgresExecution& execution) = 0;

  StatementCache<PostgresStatement> statements_;
  int changes_ = 0;
};

}  // namespace tachyon::db
