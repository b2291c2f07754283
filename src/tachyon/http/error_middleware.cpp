#include "tachyon/core/failure.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/standard_middleware.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::http {

namespace {
int status_of(core::FailureKind kind) {
  switch (kind) {
    case core::FailureKind::invalid:
      return 422;
    case core::FailureKind::not_found:
      return 404;
    case core::FailureKind::forbidden:
      return 403;
    case core::FailureKind::conflict:
      return 409;
    case core::FailureKind::precondition_failed:
      return 412;
    case core::FailureKind::unavailable:
      return 503;
    case core::FailureKind::timeout:
      return 504;
    case core::FailureKind::internal:
      break;
  }
  return 500;
}

std::string_view route_of(const Context& context) {
  return context.route ? std::string_view(context.route->path_template) : std::string_view("(unmatched)");
}
}  // namespace

boost::asio::awaitable<void> ErrorMiddleware::handle(Context& context, Next next) {
  // A co_await cannot appear in a catch block, so the outcome is recorded and handled after it.
  int status = 0;
  std::string detail;
  std::vector<json::FieldError> errors;
  std::vector<std::pair<std::string, std::string>> headers;
  try {
    co_await next(context);
    co_return;
  } catch (const HttpError& error) {
    status = error.status();
    detail = error.detail();
    errors = error.errors();
    headers = error.headers();
  } catch (const core::Failure& failure) {
    status = status_of(failure.kind());
    if (status == 500) {
      observe::log_error("handler failed", {{"request_id", context.request_id},
                                            {"route", route_of(context)},
                                            {"error", std::string_view(failure.what())}});
    } else {
      detail = failure.detail();
      errors = failure.fields();
    }
    if (failure.is_transient()) {  // a dependency is down or slow: the operator needs to know why
      observe::log_warn("dependency failed", {{"request_id", context.request_id},
                                              {"route", route_of(context)},
                                              {"error", std::string_view(failure.what())}});
    }
    if (failure.kind() == core::FailureKind::unavailable) {
      headers.emplace_back("Retry-After", std::to_string(failure.retry_after().count()));
    }
  } catch (const std::exception& error) {
    status = 500;
    observe::log_error(
        "handler failed",
        {{"request_id", context.request_id}, {"route", route_of(context)}, {"error", std::string_view(error.what())}});
  } catch (...) {
    status = 500;
    observe::log_error("handler failed", {{"request_id", context.request_id}, {"error", "unknown exception"}});
  }
  context.response.reset();
  if (status == 500) detail = "the server failed to handle this request; quote the request id when reporting it";
  set_problem(context, status, detail, errors);
  for (const auto& [name, value] : headers) context.response.add_header(name, value);
}

}  // namespace tachyon::http
