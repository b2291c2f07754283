// Cross-origin resource sharing (the Fetch standard's CORS protocol) for browser clients on other
// origins: which origins may read answers, preflights answered here without reaching a handler, and
// `Vary: Origin` so no shared cache hands one origin's answer to another.
//
// - Origins are an exact list of serialized origins (`https://app.example.com`, scheme and port
//   included) or `*`. An Origin header is compared byte for byte with the list, never by prefix or
//   suffix, and the allowed value echoed is the list's own; `null` (sandboxed frames, file: pages,
//   redirects) is never allowed. With credentials allowed, `*` is refused at start: a credentialed
//   answer names one origin.
// - A preflight (OPTIONS with Origin and Access-Control-Request-Method) on a path with a route for that
//   method gets 204 with the allowed methods, headers and Max-Age; a refused origin, method or request
//   header gets 403 naming what was refused, and no handler runs. A plain OPTIONS still gets its Allow.
// - Actual requests run as usual (CORS is a browser's read permission, not authorization); an allowed
//   origin gets Access-Control-Allow-Origin (+ -Credentials, -Expose-Headers), errors included.
// - A route may override the policy: `any_origin` (public data such as a JWKS, never with credentials)
//   or `off` (machine endpoints: metrics, profiling).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/http/cors_options.hpp"
#include "tachyon/http/middleware.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::http {

class CorsMiddleware final : public Middleware {
 public:
  // Throws std::invalid_argument with cors_problem's reason.
  explicit CorsMiddleware(CorsOptions options);
  boost::asio::awaitable<void> handle(Context& context, Next next) override;

 private:
  enum class Grant { none, listed, any };
  // The grant for `origin` on a route of `mode`; a listed one also gives the list's own copy to echo.
  Grant grant_for(std::string_view origin, CorsMode mode, std::string_view& allowed_origin) const;
  bool answer_preflight(Context& context, const Router& router, std::string_view origin,
                        std::string_view requested_method) const;
  // The allow fields of an answer; a preflight's also name its methods, headers and max age.
  void allow(Response& response, std::string_view allowed_origin, Grant grant,
             std::string_view preflight_methods) const;

  CorsOptions options_;
  bool any_origin_ = false;
  std::string methods_;          // "GET, HEAD, ..."
  std::string request_headers_;  // "Authorization, Content-Type, ..."
  std::string exposed_headers_;  // "ETag, Location, ..."
  std::string max_age_;
};

}  // namespace tachyon::http
