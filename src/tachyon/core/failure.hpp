// Failures an operation reports in terms every front end maps the same way. The domain operations
// (place an order, create a user) and the data layer throw them; the HTTP error middleware answers
// 422/404/403/409/412/503/504 (503 with Retry-After), the CLI prints the detail, and background work
// retries the transient ones. An `internal` failure is a 500 whose detail is logged, never returned.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/json/problem.hpp"

namespace tachyon::core {

enum class FailureKind : std::uint8_t {
  invalid,              // the input is wrong (with the failing fields)
  not_found,            // no such thing, or not one the caller may see
  forbidden,            // the caller may see it but not do this (the detail names what is missing)
  conflict,             // the current state does not allow it: out of stock, a duplicate, already done
  precondition_failed,  // the caller's precondition (If-Match) no longer holds
  unavailable,          // a dependency is down or overloaded: try again after retry_after()
  timeout,              // a deadline passed before the work finished
  internal,             // a bug or an unexpected state
};

class Failure : public std::runtime_error {
 public:
  // `detail` is for the caller (the problem's detail, the CLI's message) and is also what().
  Failure(FailureKind kind, std::string detail, std::vector<json::FieldError> fields = {})
      : std::runtime_error(detail), kind_(kind), detail_(std::move(detail)), fields_(std::move(fields)) {}

  FailureKind kind() const { return kind_; }
  const std::string& detail() const { return detail_; }
  const std::vector<json::FieldError>& fields() const { return fields_; }

  // For `unavailable`: when trying again makes sense.
  std::chrono::seconds retry_after() const { return retry_after_; }
  Failure& with_retry_after(std::chrono::seconds delay) {
    retry_after_ = delay;
    return *this;
  }
  // True when the same call may succeed later without any change (unavailable, timeout).
  bool is_transient() const { return kind_ == FailureKind::unavailable || kind_ == FailureKind::timeout; }

 protected:
  // A failure whose what() says more than the caller may read (a backend's message naming tables and
  // values): what() goes to the log, `detail` to the caller.
  Failure(FailureKind kind, std::string detail, const std::string& log_message)
      : std::runtime_error(log_message), kind_(kind), detail_(std::move(detail)) {}

 private:
  FailureKind kind_;
  std::string detail_;
  std::vector<json::FieldError> fields_;
  std::chrono::seconds retry_after_{1};
};

}  // namespace tachyon::core
