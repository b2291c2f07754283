// Typed errors a handler throws to answer with a status; the error middleware renders them as RFC 9457
// problem details, with the header fields the error carries (401 `WWW-Authenticate`, 429 `Retry-After`).
// Anything else thrown becomes a 500 that reveals nothing internal.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
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

  // Adds a header field to the error's response (e.g. `WWW-Authenticate`); returns *this for chaining.
  HttpError& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

 private:
  int status_;
  std::string detail_;
  std::vector<json::FieldError> errors_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

struct Context;

// Replaces the response with an application/problem+json body for `status`.
void set_problem(Context& context, int status, std::string_view detail,
                 const std::vector<json::FieldError>& errors = {});

}  // namespace tachyon::http
