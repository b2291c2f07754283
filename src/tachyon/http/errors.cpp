#include "tachyon/http/errors.hpp"

#include "tachyon/http/context.hpp"
#include "tachyon/json/status.hpp"

namespace tachyon::http {

void set_problem(Context& context, int status, std::string_view detail, const std::vector<json::FieldError>& errors) {
  json::Problem problem;
  problem.status = status;
  problem.title = std::string(json::reason_phrase(status));
  problem.detail = std::string(detail);
  problem.errors = errors;
  Response& response = context.response;
  response.status = status;
  response.set_content_type("application/problem+json");
  response.body.clear();
  json::write_problem(response.body, problem, context.request_id);
}

}  // namespace tachyon::http
