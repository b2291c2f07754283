#include "tachyon/db/postgres_session.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace tachyon::db {

namespace {
// Type oids of the parameters we send (pg_type.dat).
constexpr unsigned int8_oid = 20;
constexpr unsigned float8_oid = 701;
constexpr unsigned text_oid = 25;

// SQLSTATE (PostgreSQL appendix A) in the backend-neutral classes.
ErrorClass classify(std::string_view state) {
  if (state == "23505") return ErrorClass::unique_violation;
  if (state == "23503") return ErrorClass::foreign_key_violation;
  if (state == "23514" || state == "23502") return ErrorClass::check_violation;
  if (state == "40001" || state == "40P01") return ErrorClass::serialization_failure;
  if (state == "57014" || state == "55P03") return ErrorClass::timeout;  // statement timeout, lock timeout
  if (state.starts_with("08") || state.starts_with("57P") || state == "53300") return ErrorClass::unavailable;
  return ErrorClass::other;
}

// A stable backend code for logs: the SQLSTATE's five characters in base 36.
int state_code(std::string_view state) {
  int code = 0;
  for (char digit : state)
    code = code * 36 + (std::isdigit(static_cast<unsigned char>(digit)) ? digit - '0' : digit - 'A' + 10);
  return code;
}
}  // namespace

std::string numbered_placeholders(std::string_view sql, int& parameters) {
  std::string rewritten;
  rewritten.reserve(sql.size() + 16);
  parameters = 0;
  for (std::size_t index = 0; index < sql.size(); ++index) {
    char c = sql[index];
    if (c == '\'' || c == '"') {  // a literal or quoted identifier, doubled quotes inside
      std::size_t end = index + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      rewritten.append(sql.substr(index, end - index + 1));
      index = end;
    } else if (c == '-' && index + 1 < sql.size() && sql[index + 1] == '-') {
      std::size_t end = sql.find('\n', index);
      if (end == std::string_view::npos) end = sql.size() - 1;
      rewritten.append(sql.substr(index, end - index + 1));
      index = end;
    } else if (c == '?') {
      rewritten += '$';
      rewritten += std::to_string(++parameters);
    } else {
      rewritten += c;
    }
  }
  return rewritten;
}

PostgresStatement::PostgresStatement(PostgresSession& session, std::string sql, std::string rewritten, int parameters,
                                     bool cached)
    : session_(&session),
      sql_(std::move(sql)),
      rewritten_(std::move(rewritten)),
      parameters_(static_cast<std::size_t>(parameters)),
      cached_(cached) {}

PostgresStatement::~PostgresStatement() {
  PQclear(result_);
}

PostgresStatement::Parameter& PostgresStatement::parameter(int index) {
  if (index < 1 || static_cast<std::size_t>(index) > parameters_.size())
    throw DatabaseError(ErrorClass::other, 0, fmt::format("bind: no parameter {} in {}", index, sql_));
  return parameters_[static_cast<std::size_t>(index - 1)];
}

void PostgresStatement::bind_integer(int index, std::int64_t value) {
  parameter(index) = {std::to_string(value), int8_oid};
}

void PostgresStatement::bind_real(int index, double value) {
  parameter(index) = {fmt::format("{}", value), float8_oid};
}

void PostgresStatement::bind_text(int index, std::string_view value) {
  parameter(index) = {std::string(value), text_oid};
}

void PostgresStatement::bind_null(int index) {
  parameter(index) = {std::nullopt, 0};
}

bool PostgresStatement::step() {
  if (result_ == nullptr) {
    std::vector<unsigned> types;
    std::vector<const char*> values;
    types.reserve(parameters_.size());
    values.reserve(parameters_.size());
    for (const Parameter& bound : parameters_) {
      types.push_back(bound.type);
      values.push_back(bound.value ? bound.value->c_str() : nullptr);
    }
    result_ = session_->run_prepared({rewritten_, types, values});
    const char* changed = PQcmdTuples(result_);
    session_->changes_ = (changed != nullptr && *changed != '\0') ? std::atoi(changed) : 0;
  }
  return ++row_ < PQntuples(result_);
}

std::int64_t PostgresStatement::integer(int column) const {
  if (PQgetisnull(result_, row_, column)) return 0;
  const char* value = PQgetvalue(result_, row_, column);
  if (*value == 't') return 1;  // a boolean
  if (*value == 'f') return 0;
  std::int64_t number = 0;
  std::from_chars(value, value + PQgetlength(result_, row_, column), number);
  return number;
}

double PostgresStatement::real(int column) const {
  if (PQgetisnull(result_, row_, column)) return 0;
  return std::strtod(PQgetvalue(result_, row_, column), nullptr);
}

std::string_view PostgresStatement::text(int column) const {
  if (PQgetisnull(result_, row_, column)) return {};
  return {PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

bool PostgresStatement::is_null(int column) const {
  return PQgetisnull(result_, row_, column) != 0;
}

void PostgresStatement::release() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (Parameter& bound : parameters_) bound = {};
  if (cached_) {
    in_use = false;
  } else {
    delete this;
  }
}

std::string PostgresExecution::prepared_key() const {
  std::string key = sql;
  key += '\0';
  for (unsigned type : types) key += std::to_string(type) + ",";
  return key;
}

void throw_unless_succeeded(pg_conn* handle, pg_result* result, std::string_view what, bool& broken) {
  ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return;
  const char* field = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field != nullptr ? field : "";  // copied: the result is cleared below
  // The primary message only: DETAIL can quote the row's values (`Key (email)=(...) already exists`),
  // personal data that must not reach the logs.
  const char* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary != nullptr ? primary : PQerrorMessage(handle);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  PQclear(result);
  if (state.empty() || PQstatus(handle) != CONNECTION_OK) {  // no answer: the server or the link went away
    broken = true;
    throw DatabaseError(ErrorClass::unavailable, 0, fmt::format("{}: {}", what, message));
  }
  const ErrorClass error_class = classify(state);
  // The server is shutting down or the link failed (57P01 admin shutdown, 08006 ...): libpq may not have
  // seen the end of the stream yet, but nothing more will work on this connection.
  if (error_class == ErrorClass::unavailable) broken = true;
  throw DatabaseError(error_class, state_code(state), fmt::format("{}: {} (SQLSTATE {})", what, message, state));
}

PostgresSession::~PostgresSession() = default;

Statement PostgresSession::prepare(std::string_view sql) {
  return Statement(*this, statements_.borrow(sql, [&](bool cached) {
    int parameters = 0;
    std::string rewritten = numbered_placeholders(sql, parameters);
    return new PostgresStatement(*this, std::string(sql), std::move(rewritten), parameters, cached);
  }));
}

}  // namespace tachyon::db
