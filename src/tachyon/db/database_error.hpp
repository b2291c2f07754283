// The errors of every database backend in classes that mean the same on each (a unique violation is
// a unique violation on SQLite and on PostgreSQL), as core::Failures: a duplicate is a conflict (409),
// a missing referenced row or a broken check is invalid input (422), a lost serialization race is
// retried by the writer and, when it keeps losing, unavailable (503), like a database that is down; a
// statement that ran out of time is a timeout (504). Anything else is internal (500, logged).
#pragma once

#include <cstdint>
#include <exception>
#include <string>

#include "tachyon/core/failure.hpp"

namespace tachyon::db {

enum class ErrorClass : std::uint8_t {
  unique_violation,
  foreign_key_violation,
  check_violation,        // CHECK and NOT NULL
  serialization_failure,  // also deadlocks: the same transaction may succeed when run again
  unavailable,            // cannot connect, the server went away, the disk is full or read-only
  timeout,                // a lock or statement timeout
  other,
};

class DatabaseError : public core::Failure {
 public:
  // `backend_code`: the backend's own code (SQLite extended result code), for logs.
  DatabaseError(ErrorClass error_class, int backend_code, const std::string& message);

  ErrorClass error_class() const { return error_class_; }
  int backend_code() const { return backend_code_; }

 private:
  ErrorClass error_class_;
  int backend_code_;
};

// True when `error` holds a DatabaseError of that class.
bool is_database_error(const std::exception_ptr& error, ErrorClass error_class);

}  // namespace tachyon::db
