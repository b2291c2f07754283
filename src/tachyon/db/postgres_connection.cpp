#include "tachyon/db/postgres_connection.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include "tachyon/observe/log.hpp"

namespace tachyon::db {

namespace {
std::string trimmed_error(pg_conn* handle) {
  std::string message = handle != nullptr ? PQerrorMessage(handle) : "out of memory";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}
}  // namespace

PostgresConnectParameters::PostgresConnectParameters(const PostgresConnectionOptions& options)
    : url_(options.url),
      connect_timeout_(
          std::to_string(std::max<long>(1, static_cast<long>((options.connect_timeout.count() + 999) / 1000)))),
      values_{url_.c_str(), connect_timeout_.c_str(), "tachyon", nullptr} {}

void prepare_opened_connection(pg_conn* handle) {
  // A server WARNING goes to the JSON log; NOTICE and below ("relation ... already exists, skipping")
  // are dropped rather than written to stderr, or to stdout, where the CLI prints its results.
  PQsetNoticeReceiver(
      handle,
      [](void*, const pg_result* notice) {
        const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
        if (severity == nullptr || std::string_view(severity) != "WARNING") return;
        const char* message = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
        observe::log_warn("postgresql warning", {{"message", std::string_view(message ? message : "")}});
      },
      nullptr);
}

std::string describe_connection(pg_conn* handle) {
  const char* host = PQhost(handle);
  const char* database = PQdb(handle);
  return fmt::format("postgresql://{}:{}/{}", host ? host : "", PQport(handle), database ? database : "");
}

[[noreturn]] void throw_connect_failure(pg_conn* handle) {
  std::string message = trimmed_error(handle);
  PQfinish(handle);
  throw DatabaseError(ErrorClass::unavailable, 0, fmt::format("cannot connect to PostgreSQL: {}", message));
}

PostgresConnection::PostgresConnection(const PostgresConnectionOptions& options)
    : PostgresSession(options.slow_query_threshold), opened_at_(std::chrono::steady_clock::now()) {
  PostgresConnectParameters parameters(options);
  handle_ = PQconnectdbParams(parameters.keywords(), parameters.values(), /*expand_dbname=*/1);
  if (handle_ == nullptr || PQstatus(handle_) != CONNECTION_OK) throw_connect_failure(handle_);
  prepare_opened_connection(handle_);
  description_ = describe_connection(handle_);
  execute_script(fmt::format("SET statement_timeout = {}", options.statement_timeout.count()));
}

PostgresConnection::~PostgresConnection() {
  statements_.clear();
  PQfinish(handle_);
}

pg_result* PostgresConnection::run_prepared(const PostgresExecution& execution) {
  std::string key = execution.prepared_key();
  auto found = prepared_.find(key);
  if (found == prepared_.end()) {
    std::string name = fmt::format("tachyon_{}", prepared_.size() + 1);
    pg_result* prepared =
        PQprepare(handle_, name.c_str(), execution.sql.c_str(), static_cast<int>(execution.types.size()),
                  reinterpret_cast<const Oid*>(execution.types.data()));
    throw_unless_succeeded(handle_, prepared, "prepare", broken_);
    PQclear(prepared);
    found = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  pg_result* result = PQexecPrepared(handle_, found->second.c_str(), static_cast<int>(execution.values.size()),
                                     execution.values.data(), nullptr, nullptr, 0);
  throw_unless_succeeded(handle_, result, "step", broken_);
  return result;
}

void PostgresConnection::execute_script(std::string_view sql) {
  pg_result* result = PQexec(handle_, std::string(sql).c_str());
  throw_unless_succeeded(handle_, result, "execute", broken_);
  PQclear(result);
}

bool PostgresConnection::in_transaction() const {
  return PQtransactionStatus(handle_) != PQTRANS_IDLE;
}

bool PostgresConnection::healthy() const {
  return !broken_ && PQstatus(handle_) == CONNECTION_OK;
}

}  // namespace tachyon::db
