#include "tachyon/db/sqlite_connection.hpp"

#include "tachyon/db/database_metrics.hpp"

#include <sqlite3.h>

#include "tachyon/observe/log.hpp"

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

Statement::Statement(Connection& connection, sqlite3_stmt* statement, bool* cache_slot)
    : connection_(&connection), statement_(statement), cache_slot_(cache_slot) {}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_),
      statement_(other.statement_),
      cache_slot_(other.cache_slot_),
      stepped_(other.stepped_),
      started_(other.started_) {
  other.statement_ = nullptr;
}

Statement::~Statement() {
  if (statement_ == nullptr) return;
  connection_->on_statement_finished(statement_, cache_slot_, stepped_, std::chrono::steady_clock::now() - started_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  int code = sqlite3_bind_int64(statement_, index, value);
  if (code != SQLITE_OK) connection_->fail(code, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  int code = sqlite3_bind_double(statement_, index, value);
  if (code != SQLITE_OK) connection_->fail(code, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  int code = sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (code != SQLITE_OK) connection_->fail(code, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  int code = sqlite3_bind_null(statement_, index);
  if (code != SQLITE_OK) connection_->fail(code, "bind");
  return *this;
}

bool Statement::step() {
  if (!stepped_) {
    stepped_ = true;
    started_ = std::chrono::steady_clock::now();
    connection_->on_statement_started();
  }
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  connection_->fail(sqlite3_extended_errcode(sqlite3_db_handle(statement_)), "step");
}

void Statement::run() {
  while (step()) {
  }
}

std::int64_t Statement::run_returning_id() {
  if (!step()) throw DatabaseError(ErrorClass::other, SQLITE_MISUSE, "an INSERT ... RETURNING id gave no row");
  std::int64_t id = integer(0);
  run();
  return id;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}
double Statement::real(int column) const {
  return sqlite3_column_double(statement_, column);
}
bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::string_view Statement::text(int column) const {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (bytes == nullptr) return {};
  return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
}

Connection::Connection(const ConnectionOptions& options) : options_(options) {
  database_metrics();  // every series exists from the first connection on
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

Connection::~Connection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.statement);
  sqlite3_close_v2(handle_);
}

Statement Connection::prepare(std::string_view sql) {
  auto found = statements_.find(std::string(sql));
  if (found != statements_.end() && !found->second.in_use) {
    found->second.in_use = true;
    return Statement(*this, found->second.statement, &found->second.in_use);
  }
  sqlite3_stmt* statement = nullptr;
  int code = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                &statement, nullptr);
  if (code != SQLITE_OK) fail(code, "prepare");
  if (found != statements_.end()) return Statement(*this, statement, nullptr);  // the cached one is busy
  auto [inserted, ignored] = statements_.emplace(std::string(sql), CachedStatement{statement, true});
  return Statement(*this, statement, &inserted->second.in_use);
}

void Connection::execute_script(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int code = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(code);
    sqlite3_free(error);
    throw DatabaseError(classify(sqlite3_extended_errcode(handle_)), sqlite3_extended_errcode(handle_), message);
  }
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(handle_) == 0;
}

int Connection::changes() const {
  return sqlite3_changes(handle_);
}

void Connection::on_statement_finished(sqlite3_stmt* statement, bool* cache_slot, bool stepped,
                                       std::chrono::steady_clock::duration elapsed) {
  if (stepped) {
    const DatabaseMetrics& metrics = database_metrics();
    double seconds = std::chrono::duration<double>(elapsed).count();
    metrics.statement_seconds[static_cast<int>(operation_of(sqlite3_sql(statement)))].observe(seconds);
    if (elapsed >= options_.slow_query_threshold) metrics.slow_statements.add();
  }
  if (stepped && elapsed >= options_.slow_query_threshold) {
    // The SQL text with its ? placeholders: bound values (which may be personal data) never reach the log.
    observe::log_warn("slow query", {{"sql", std::string_view(sqlite3_sql(statement))},
                                     {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
                                     {"database", std::string_view(options_.path)}});
  }
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (cache_slot == nullptr) {
    sqlite3_finalize(statement);
  } else {
    *cache_slot = false;
  }
}

void Connection::fail(int code, std::string_view what) const {
  throw DatabaseError(classify(code), code, std::string(what) + ": " + sqlite3_errmsg(handle_));
}

}  // namespace tachyon::db
