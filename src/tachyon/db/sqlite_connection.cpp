#include "tachyon/db/sqlite_connection.hpp"

#include <sqlite3.h>

namespace tachyon::db {

namespace {
// SQLite's (extended) result codes in the backend-neutral classes.
ErrorClass classify(int code) {
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return ErrorClass::unique_violation;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return ErrorClass::foreign_key_violation;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      return ErrorClass::check_violation;
    case SQLITE_BUSY_SNAPSHOT:
      return ErrorClass::serialization_failure;
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_BUSY:  // the busy timeout passed while another connection held the lock
    case SQLITE_LOCKED:
    case SQLITE_INTERRUPT:
      return ErrorClass::timeout;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_NOMEM:
      return ErrorClass::unavailable;
    default:
      return ErrorClass::other;
  }
}
}  // namespace

SqliteStatement::SqliteStatement(SqliteConnection& connection, sqlite3_stmt* statement, bool cached)
    : connection_(&connection), statement_(statement), cached_(cached) {}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(statement_);
}

void SqliteStatement::check(int code, std::string_view what) const {
  if (code != SQLITE_OK) connection_->fail(code, what);
}

void SqliteStatement::bind_integer(int index, std::int64_t value) {
  check(sqlite3_bind_int64(statement_, index, value), "bind");
}

void SqliteStatement::bind_real(int index, double value) {
  check(sqlite3_bind_double(statement_, index, value), "bind");
}

void SqliteStatement::bind_text(int index, std::string_view value) {
  check(sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
}

void SqliteStatement::bind_null(int index) {
  check(sqlite3_bind_null(statement_, index), "bind");
}

bool SqliteStatement::step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  connection_->fail(sqlite3_extended_errcode(sqlite3_db_handle(statement_)), "step");
}

std::int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}
double SqliteStatement::real(int column) const {
  return sqlite3_column_double(statement_, column);
}
bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string_view SqliteStatement::text(int column) const {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (bytes == nullptr) return {};
  return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
}

std::string_view SqliteStatement::sql() const {
  return sqlite3_sql(statement_);
}

void SqliteStatement::release() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  if (cached_) {
    in_use = false;
  } else {
    delete this;
  }
}

SqliteConnection::SqliteConnection(const ConnectionOptions& options)
    : Connection(options.slow_query_threshold), options_(options) {
  // Multi-thread mode (no per-call mutex): each connection is used by exactly one thread.
  int flags =
      SQLITE_OPEN_NOMUTEX | (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int code = sqlite3_open_v2(options.path.c_str(), &handle_, flags, nullptr);
  if (code != SQLITE_OK) {
    std::string message = handle_ ? sqlite3_errmsg(handle_) : sqlite3_errstr(code);
    sqlite3_close_v2(handle_);
    handle_ = nullptr;
    throw DatabaseError(classify(code), code, "cannot open database " + options.path + ": " + message);
  }
  sqlite3_extended_result_codes(handle_, 1);
  sqlite3_busy_timeout(handle_, static_cast<int>(options.busy_timeout.count()));
  if (!options.read_only) {
    // WAL lets readers proceed while the single writer commits; NORMAL is durable across process
    // crashes in WAL mode (only an OS crash can lose the last transactions).
    execute_script("PRAGMA journal_mode=WAL");
  }
  execute_script("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY");
}

SqliteConnection::~SqliteConnection() {
  statements_.clear();
  sqlite3_close_v2(handle_);
}

Statement SqliteConnection::prepare(std::string_view sql) {
  return Statement(*this, statements_.borrow(sql, [&](bool cached) {
    sqlite3_stmt* prepared = nullptr;
    int code = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                  &prepared, nullptr);
    if (code != SQLITE_OK) fail(code, "prepare");
    return new SqliteStatement(*this, prepared, cached);
  }));
}

void SqliteConnection::execute_script(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int code = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    throw DatabaseError(classify(sqlite3_extended_errcode(handle_)), sqlite3_extended_errcode(handle_), message);
  }
}

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(handle_) == 0;
}

int SqliteConnection::changes() const {
  return sqlite3_changes(handle_);
}

void SqliteConnection::fail(int code, std::string_view what) const {
  throw DatabaseError(classify(code), code, std::string(what) + ": " + sqlite3_errmsg(handle_));
}

}  // namespace tachyon::db
