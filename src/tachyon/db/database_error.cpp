#include "tachyon/db/database_error.hpp"

namespace tachyon::db {

namespace {
core::FailureKind failure_kind(ErrorClass error_class) {
  switch (error_class) {
    case ErrorClass::unique_violation:
      return core::FailureKind::conflict;
    case ErrorClass::foreign_key_violation:
    case ErrorClass::check_violation:
      return core::FailureKind::invalid;
    case ErrorClass::serialization_failure:
    case ErrorClass::unavailable:
      return core::FailureKind::unavailable;
    case ErrorClass::timeout:
      return core::FailureKind::timeout;
    case ErrorClass::other:
      break;
  }
  return core::FailureKind::internal;
}

// What the client reads: the backend's message may name tables, columns and values, so only the class
// is said. The full message stays in what() for the log.
std::string public_detail(ErrorClass error_class) {
  switch (error_class) {
    case ErrorClass::unique_violation:
      return "this conflicts with an existing record";
    case ErrorClass::foreign_key_violation:
      return "this refers to a record that does not exist, or is still referred to";
    case ErrorClass::check_violation:
      return "a value is outside what the database accepts";
    case ErrorClass::serialization_failure:
      return "the database was too busy with concurrent changes; try again";
    case ErrorClass::unavailable:
      return "the database is unavailable; try again shortly";
    case ErrorClass::timeout:
      return "the database did not answer in time";
    case ErrorClass::other:
      break;
  }
  return "database error";
}
}  // namespace

DatabaseError::DatabaseError(ErrorClass error_class, int backend_code, const std::string& message)
    : core::Failure(failure_kind(error_class), public_detail(error_class), message),
      error_class_(error_class),
      backend_code_(backend_code) {}

bool is_database_error(const std::exception_ptr& error, ErrorClass error_class) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const DatabaseError& failure) {
    return failure.error_class() == error_class;
  } catch (...) {
    return false;
  }
}

}  // namespace tachyon::db
