#include "tachyon/http/middleware.hpp"

#include "tachyon/http/conditional.hpp"
#include "tachyon/http/errors.hpp"

namespace tachyon::http {

boost::asio::awaitable<void> Next::operator()(Context& context) const {
  return pipeline_.call(context, index_);
}

const Router& Next::router() const {
  return pipeline_.router();
}

Pipeline& Pipeline::use(std::unique_ptr<Middleware> middleware) {
  chain_.push_back(std::move(middleware));
  return *this;
}

boost::asio::awaitable<void> Pipeline::run(Context& context) const {
  RouteMatch match = router_.match(context.request.method, context.request.path, context.params);
  context.route = match.route;
  if (match.route == nullptr) {
    // Answered by the end of the chain, still inside every middleware (request id, logging, ...).
    if (!match.path_found) {
      context.response.status = 404;
    } else {
      context.response.add_header("Allow", match.allowed_methods);
      context.response.status = context.request.method == Method::options ? 204 : 405;
    }
  }
  return call(context, 0);
}

boost::asio::awaitable<void> Pipeline::call(Context& context, std::size_t index) const {
  if (index < chain_.size()) return chain_[index]->handle(context, Next(*this, index + 1));
  return dispatch(context);
}

boost::asio::awaitable<void> Pipeline::dispatch(Context& context) const {
  if (context.route != nullptr) {
    // After access control, before the handler: a route that demands a precondition refuses an
    // unconditional write (RFC 6585 §3), so no client can overwrite a change it has not seen.
    Method method = context.request.method;
    bool writes = method == Method::put || method == Method::patch || method == Method::delete_;
    if (writes && context.route->metadata.requires_precondition && !has_write_precondition(context.request)) {
      set_problem(context, 428,
                  "this resource is changed only with If-Match (the ETag you read) or If-Unmodified-Since");
      co_return;
    }
    co_await context.route->handler(context);
    co_return;
  }
  switch (context.response.status) {
    case 204:
      break;
    case 405:
      set_problem(context, 405,
                  "method " + std::string(context.request.method_text) + " is not allowed on this resource");
      break;
    default:
      set_problem(context, 404, "no resource at this path");
      break;
  }
}

}  // namespace tachyon::http
