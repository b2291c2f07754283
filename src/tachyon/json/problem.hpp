// RFC 9457 problem details: the one JSON shape every error response uses, including the list of
// failing fields that request validation produces.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tachyon::json {

// One failing field: `field` is a path such as "email", "items[0].quantity" or "" for the whole body.
struct FieldError {
  std::string field;
  std::string message;

  bool operator==(const FieldError&) const = default;
};

struct Problem {
  int status = 500;
  std::string title;  // empty: the status's reason phrase
  std::string detail;
  std::string type = "about:blank";
  std::string instance;
  std::vector<FieldError> errors;
};

// Appends the problem as a JSON object in the order type, title, status, detail, instance, request_id,
// errors. Empty `detail`, `instance` and `request_id` are left out, and so is `errors` when it is empty.
void write_problem(std::string& out, const Problem& problem, std::string_view request_id);
void write_problem(std::string& out, const Problem& problem);

}  // namespace tachyon::json
