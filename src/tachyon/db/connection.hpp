// The backend-neutral database connection every caller uses: prepared statements with `?`
// placeholders (1-based, as in SQLite; a backend with another syntax rewrites them), typed binding and
// reading row by row, transactions with nested savepoints, the rows the last statement changed, a
// statement counter for Server-Timing, and statement metrics with the slow-query log. SQLite
// (sqlite_connection.hpp) and PostgreSQL (postgres_connection.hpp) implement it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "tachyon/db/database_error.hpp"

namespace tachyon::db {

// The SQL a backend speaks where the two differ (DDL, full-text search, planner hints).
enum class Dialect { sqlite, postgresql };

// One prepared statement of a backend, driven through Statement.
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void bind_integer(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool step() = 0;  // to the next row; false when done; throws DatabaseError
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string_view text(int column) const = 0;  // valid until the next step
  virtual bool is_null(int column) const = 0;
  virtual std::string_view sql() const = 0;  // as prepared, with its placeholders (never the values)
  // The execution is over: reset, and go back to the connection's cache (or be destroyed).
  virtual void release() = 0;
};

// A connection's prepared statements by SQL text. A backend statement has a public `in_use` flag; when
// the cached one is busy (a statement prepared again while an earlier execution still reads rows), a
// one-off is made, which deletes itself when released.
template <class Backend>
class StatementCache {
 public:
  // `make(cached)` prepares a new backend statement for `sql` (heap-allocated; throws on failure).
  template <class Make>
  Backend& borrow(std::string_view sql, Make make) {
    auto found = statements_.find(std::string(sql));
    if (found != statements_.end() && !found->second->in_use) {
      found->second->in_use = true;
      return *found->second;
    }
    if (found != statements_.end()) return *make(false);
    auto [inserted, ignored] = statements_.emplace(std::string(sql), std::unique_ptr<Backend>(make(true)));
    inserted->second->in_use = true;
    return *inserted->second;
  }
  void clear() { statements_.clear(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<Backend>> statements_;
};

class Connection;

// A prepared statement borrowed from its connection for one execution. It is reset, timed and
// returned when it goes out of scope.
class Statement {
 public:
  Statement(Connection& connection, StatementBackend& backend) : connection_(&connection), backend_(&backend) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::int64_t value) {
    backend_->bind_integer(index, value);
    return *this;
  }
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value) {
    backend_->bind_real(index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    backend_->bind_text(index, value);
    return *this;
  }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t) {
    backend_->bind_null(index);
    return *this;
  }
  template <class T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }

  // Runs to the next row; false when done. Throws DatabaseError on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  // Runs an `INSERT ... RETURNING id` and gives the new row's id: the one way to learn it that every
  // backend has (PostgreSQL has no last-insert-rowid). Throws DatabaseError when no row comes back.
  std::int64_t run_returning_id();

  std::int64_t integer(int column) const { return backend_->integer(column); }
  double real(int column) const { return backend_->real(column); }
  std::string_view text(int column) const { return backend_->text(column); }
  bool is_null(int column) const { return backend_->is_null(column); }

 private:
  Connection* connection_;
  StatementBackend* backend_;
  bool stepped_ = false;
  std::chrono::steady_clock::time_point started_{};
};

class Connection {
 public:
  explicit Connection(std::chrono::milliseconds slow_query_threshold);
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;
  // A prepared statement for `sql`, cached by its text on this connection.
  virtual Statement prepare(std::string_view sql) = 0;
  // Runs one or more statements with no parameters and no result rows (schema changes, BEGIN ...).
  virtual void execute_script(std::string_view sql) = 0;
  // Rows inserted, updated or deleted by the last statement that ran to completion.
  virtual int changes() const = 0;
  // True inside BEGIN ... COMMIT (or a savepoint).
  virtual bool in_transaction() const = 0;
  // Where the slow-query log says the statement ran (a file, or a host and database; no password).
  virtual std::string_view describe() const = 0;

  // Statements executed on this connection so far (each execution of a prepared statement counts once).
  std::uint64_t statements_executed() const { return statements_executed_; }

  // Runs `work` inside a transaction, or inside a savepoint when one is already open (the SQLite
  // writer runs each write of a group commit inside one); rolls back and rethrows on throw.
  template <class Work>
  auto transaction(Work&& work) -> decltype(work()) {
    const bool nested = in_transaction();
    execute_script(nested ? "SAVEPOINT nested_work" : begin_statement());
    try {
      if constexpr (std::is_void_v<decltype(work())>) {
        work();
        execute_script(nested ? "RELEASE nested_work" : "COMMIT");
      } else {
        auto result = work();
        execute_script(nested ? "RELEASE nested_work" : "COMMIT");
        return result;
      }
    } catch (...) {
      execute_script(nested ? "ROLLBACK TO nested_work; RELEASE nested_work" : "ROLLBACK");
      throw;
    }
  }

 protected:
  // What opens a writing transaction: SQLite takes the write lock at once (BEGIN IMMEDIATE), so a
  // transaction never fails half-way to upgrade its lock.
  virtual std::string_view begin_statement() const = 0;

 private:
  friend class Statement;
  void on_statement_started() { ++statements_executed_; }
  void on_statement_finished(std::string_view sql, std::chrono::steady_clock::duration elapsed);

  std::chrono::milliseconds slow_query_threshold_;
  std::uint64_t statements_executed_ = 0;
};

}  // namespace tachyon::db
