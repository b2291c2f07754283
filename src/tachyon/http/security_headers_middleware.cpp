#include "tachyon/http/router.hpp"
#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

HeaderLines common_headers() {
  HeaderLines lines;
  lines.add("X-Content-Type-Options", "nosniff").add("X-Frame-Options", "DENY").add("Referrer-Policy", "no-referrer");
  return lines;
}

}  // namespace

HeaderLines SecurityHeadersMiddleware::api_headers() {
  HeaderLines lines = common_headers();
  lines.add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  return lines;
}

SecurityHeadersMiddleware::SecurityHeadersMiddleware() : common_(common_headers()), with_api_policy_(api_headers()) {
  // Two years, Mozilla's recommendation; no includeSubDomains or preload: those are the site's decision.
  transport_security_.add("Strict-Transport-Security", "max-age=63072000");
}

boost::asio::awaitable<void> SecurityHeadersMiddleware::handle(Context& context, Next next) {
  co_await next(context);
  Response& response = context.response;
  if (context.secure) response.add_headers(transport_security_);  // HSTS counts only over TLS (RFC 6797 §7.2)
  const Route* route = context.route;
  if (route == nullptr || route->metadata.content_security_policy.empty()) {
    // One append: /plaintext 9,422 Ir per request without the headers, 9,862 with (four add_header: 11,211).
    response.add_headers(with_api_policy_);
    co_return;
  }
  response.add_headers(common_);
  response.add_header("Content-Security-Policy", route->metadata.content_security_policy);
}

}  // namespace tachyon::http
