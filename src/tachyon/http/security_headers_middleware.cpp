#include "tachyon/http/router.hpp"
#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

constexpr std::string_view api_security_policy = "default-src 'none'; frame-ancestors 'none'";

}  // namespace

boost::asio::awaitable<void> SecurityHeadersMiddleware::handle(Context& context, Next next) {
  co_await next(context);
  Response& response = context.response;
  response.add_header("X-Content-Type-Options", "nosniff");
  response.add_header("X-Frame-Options", "DENY");
  response.add_header("Referrer-Policy", "no-referrer");
  const Route* route = context.route;
  bool own_policy = route != nullptr && !route->metadata.content_security_policy.empty();
  response.add_header("Content-Security-Policy",
                      own_policy ? std::string_view(route->metadata.content_security_policy) : api_security_policy);
}

}  // namespace tachyon::http
