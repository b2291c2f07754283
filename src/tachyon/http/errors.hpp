// Typed errors a handler throws to answer with a status; the error middleware renders them as RFC 9457
// problem details. Anything else thrown becomes a 500 that reveals nothing internal.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/json/problem.hpp"

namespace tachyon::http {

class HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string detail, std::vector<json::FieldError> errors = {})
      : std::runtime_error(detail), status_(status), detail_(std::move(detail)), errors_(std::move(errors)) {}

  int status() const { return status_; }
  const std::string& detail() const { return detail_; }
  const std::vector<json::FieldError>& errors() const { return errors_; }

 private:
  int status_;
  std::string detail_;
  std::vector<json::FieldError> errors_;
};

struct Context;

// Replaces the response with an application/problem+json body for `status`.
void set_problem(Context& context, int status, std::string_view detail,
                 const std::vector<json::FieldError>& errors = {});

}  // namespace tachyon::http
