#include "tachyon/http/errors.hpp"
#include "tachyon/http/standard_middleware.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::http {

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
  } catch (const std::exception& error) {
    status = 500;
    observe::log_error("handler failed", {{"request_id", context.request_id},
                                          {"route", context.route ? std::string_view(context.route->path_template)
                                                                  : std::string_view("(unmatched)")},
                                          {"error", std::string_view(error.what())}});
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
