// One SQLite connection used by one thread: opened with the pragmas a server wants (WAL,
// synchronous=NORMAL, busy timeout, foreign keys), prepared statements cached by SQL text, typed
// binding and reading, transactions, a per-connection statement counter, and the slow-query log.
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

struct sqlite3;
struct sqlite3_stmt;

namespace tachyon::db {

struct ConnectionOptions {
  std::string path;  // a file path, or ":memory:"
  bool read_only = false;
  std::chrono::milliseconds busy_timeout{5000};
  std::chrono::milliseconds slow_query_threshold{100};  // statements slower than this are logged
};

class Connection;

// A prepared statement borrowed from the connection's cache for one execution. Binding indexes are
// 1-based as in SQLite. The statement is reset (and timed for the slow-query log) when it goes out of
// scope.
class Statement {
 public:
  // `cache_slot`: the cache entry's in-use flag, or null for a one-off statement (its cached twin was
  // busy), which is finalized instead of returned.
  Statement(Connection& connection, sqlite3_stmt* statement, bool* cache_slot);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, std::nullptr_t);
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

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string_view text(int column) const;  // valid until the next step
  bool is_null(int column) const;

 private:
  Connection* connection_;
  sqlite3_stmt* statement_;
  bool* cache_slot_;
  bool stepped_ = false;
  std::chrono::steady_clock::time_point started_{};
};

class Connection {
 public:
  explicit Connection(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for `sql` (prepared on first use on this connection).
  Statement prepare(std::string_view sql);
  // Runs one or more statements with no parameters and no result rows (schema changes).
  void execute_script(std::string_view sql);

  int changes() const;
  // Statements executed on this connection so far (each execution of a prepared statement counts once).
  std::uint64_t statements_executed() const { return statements_executed_; }

  // True inside BEGIN ... COMMIT (or a savepoint).
  bool in_transaction() const;

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT, or inside a savepoint when a transaction is already
  // open (the writer runs each write of a group commit inside one); rolls back and rethrows on throw.
  template <class Work>
  auto transaction(Work&& work) -> decltype(work()) {
    const bool nested = in_transaction();
    execute_script(nested ? "SAVEPOINT nested_work" : "BEGIN IMMEDIATE");
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

  const ConnectionOptions& options() const { return options_; }

 private:
  friend class Statement;
  void on_statement_started() { ++statements_executed_; }
  void on_statement_finished(sqlite3_stmt* statement, bool* cache_slot, bool stepped,
                             std::chrono::steady_clock::duration elapsed);
  [[noreturn]] void fail(int code, std::string_view what) const;

  ConnectionOptions options_;
  sqlite3* handle_ = nullptr;
  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  std::unordered_map<std::string, CachedStatement> statements_;
  std::uint64_t statements_executed_ = 0;
};

}  // namespace tachyon::db
