// One SQLite connection used by one thread: opened with the pragmas a server wants (WAL,
// synchronous=NORMAL, busy timeout, foreign keys), prepared statements cached by SQL text, and SQLite's
// result codes in the backend-neutral error classes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "tachyon/db/connection.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace tachyon::db {

struct ConnectionOptions {
  std::string path;  // a file path, or ":memory:"
  bool read_only = false;
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::milliseconds slow_query_threshold{100};  // statements slower than this are logged
};

class SqliteConnection;

// A statement prepared on one SQLite connection. A cached one is marked in use while a Statement
// holds it; a one-off (its cached twin was busy) deletes itself when released.
class SqliteStatement final : public StatementBackend {
 public:
  SqliteStatement(SqliteConnection& connection, sqlite3_stmt* statement, bool cached);
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind_integer(int index, std::int64_t value) override;
  void bind_real(int index, double value) override;
  void bind_text(int index, std::string_view value) override;
  void bind_null(int index) override;
  bool step() override;
  std::int64_t integer(int column) const override;
  double real(int column) const override;
  std::string_view text(int column) const override;
  bool is_null(int column) const override;
  std::string_view sql() const override;
  void release() override;

  bool in_use = false;

 private:
  void check(int code, std::string_view what) const;

  SqliteConnection* connection_;
  sqlite3_stmt* statement_;
  bool cached_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const ConnectionOptions& options);
  ~SqliteConnection() override;

  Dialect dialect() const override { return Dialect::sqlite; }
  Statement prepare(std::string_view sql) override;
  void execute_script(std::string_view sql) override;
  int changes() const override;
  bool in_transaction() const override;
  std::string_view describe() const override { return options_.path; }

  const ConnectionOptions& options() const { return options_; }

 protected:
  std::string_view begin_statement() const override { return "BEGIN IMMEDIATE"; }

 private:
  friend class SqliteStatement;
  [[noreturn]] void fail(int code, std::string_view what) const;

  ConnectionOptions options_;
  sqlite3* handle_ = nullptr;
  StatementCache<SqliteStatement> statements_;
};

}  // namespace tachyon::db
