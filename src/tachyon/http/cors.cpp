#include "tachyon/http/cors.hpp"

#include <algorithm>
#include <stdexcept>

#include "tachyon/http/errors.hpp"
#include "tachyon/http/field_values.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::http {

namespace {

std::string joined(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) text += (text.empty() ? "" : ", ") + value;
  return text;
}

bool contains_ignoring_case(const std::vector<std::string>& values, std::string_view wanted) {
  return std::any_of(values.begin(), values.end(), [&](const std::string& value) { return iequals(value, wanted); });
}

// Only GET and HEAD are shared with any origin: a route open to every site is for reading.
bool is_read(Method method) {
  return method == Method::get || method == Method::head;
}

}  // namespace

CorsMiddleware::CorsMiddleware(CorsOptions options) : options_(std::move(options)) {
  if (std::optional<std::string> problem = cors_problem(options_)) throw std::invalid_argument("CORS " + *problem);
  any_origin_ = options_.origins.size() == 1 && options_.origins[0] == "*";
  methods_ = joined(options_.methods);
  request_headers_ = joined(options_.request_headers);
  exposed_headers_ = joined(options_.exposed_headers);
  max_age_ = std::to_string(options_.max_age.count());
}

CorsMiddleware::Grant CorsMiddleware::grant_for(std::string_view origin, CorsMode mode,
                                                std::string_view& allowed_origin) const {
  if (origin.empty() || mode == CorsMode::off) return Grant::none;
  if (mode == CorsMode::any_origin || any_origin_) return Grant::any;
  for (const std::string& allowed : options_.origins) {
    if (allowed == origin) {  // exact bytes: no prefix, suffix or case folding
      allowed_origin = allowed;
      return Grant::listed;
    }
  }
  return Grant::none;
}

void CorsMiddleware::allow(Response& response, std::string_view allowed_origin, Grant grant,
                           std::string_view preflight_methods) const {
  // add_header, not set_header: no handler sets these, and a scan of the header block costs each answer.
  response.add_header("Access-Control-Allow-Origin", grant == Grant::any ? std::string_view("*") : allowed_origin);
  if (grant == Grant::listed && options_.allow_credentials) {
    response.add_header("Access-Control-Allow-Credentials", "true");
  }
  if (preflight_methods.empty()) {
    if (!exposed_headers_.empty()) response.add_header("Access-Control-Expose-Headers", exposed_headers_);
    return;
  }
  response.add_header("Access-Control-Allow-Methods", preflight_methods);
  if (!request_headers_.empty()) response.add_header("Access-Control-Allow-Headers", request_headers_);
  response.add_header("Access-Control-Max-Age", max_age_);
}

bool CorsMiddleware::answer_preflight(Context& context, const Router& router, std::string_view origin,
                                      std::string_view requested_method) const {
  Method method = parse_method(requested_method);
  PathParams params;
  RouteMatch match = router.match(method, context.request.path, params);
  if (match.route == nullptr && !match.path_found) return false;  // the usual 404
  Response& response = context.response;
  response.reset();
  auto refuse = [&](const std::string& detail) {
    set_problem(context, 403, detail);
    add_vary(response, "Origin");
    return true;
  };
  if (match.route == nullptr || method == Method::options) {
    return refuse("method " + std::string(requested_method) + " is not allowed on this resource");
  }
  CorsMode mode = match.route->metadata.cors;
  if (mode == CorsMode::off) return refuse("this resource is not shared with other origins");
  std::string_view allowed_origin;
  Grant grant = grant_for(origin, mode, allowed_origin);
  if (grant == Grant::none) return refuse("origin " + std::string(origin) + " is not allowed");
  // A route open to any origin shares reads only; otherwise the configured methods.
  bool route_wide_open = mode == CorsMode::any_origin;
  std::string_view methods = route_wide_open ? std::string_view("GET, HEAD") : std::string_view(methods_);
  bool method_allowed =
      route_wide_open ? is_read(method) : contains_ignoring_case(options_.methods, method_name(method));
  if (!method_allowed) return refuse("method " + std::string(requested_method) + " is not allowed from other origins");
  std::string refused_header;
  for_each_list_element(context.request.header("Access-Control-Request-Headers"), [&](std::string_view name) {
    if (refused_header.empty() && !contains_ignoring_case(options_.request_headers, name)) {
      refused_header = std::string(name);
    }
  });
  if (!refused_header.empty()) return refuse("request header " + refused_header + " is not allowed");
  response.status = 204;
  allow(response, allowed_origin, grant, methods);
  response.add_header("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return true;
}

boost::asio::awaitable<void> CorsMiddleware::handle(Context& context, Next next) {
  std::string_view origin = context.request.header("Origin");
  if (context.request.method == Method::options && !origin.empty()) {
    std::string_view requested_method = context.request.header("Access-Control-Request-Method");
    if (!requested_method.empty() && answer_preflight(context, next.router(), origin, requested_method)) co_return;
  }
  co_await next(context);
  CorsMode mode = context.route != nullptr ? context.route->metadata.cors : CorsMode::server_policy;
  // Answers that differ by Origin say so, to every client: a shared cache must not give one origin's
  // answer (or a no-Origin one) to another.
  if (mode == CorsMode::server_policy && !any_origin_) add_vary(context.response, "Origin");
  std::string_view allowed_origin;
  Grant grant = grant_for(origin, mode, allowed_origin);
  if (grant != Grant::none) allow(context.response, allowed_origin, grant, {});
}

}  // namespace tachyon::http
