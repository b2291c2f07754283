#include <algorithm>
#include <cctype>

#include "tachyon/http/errors.hpp"
#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

// The host part of a Host field value ("api.example.com:8080" -> "api.example.com", "[::1]:80" ->
// "[::1]"), or "" when it is not a host name or IP literal.
std::string_view host_of(std::string_view field) {
  std::string_view host = field;
  if (host.starts_with('[')) {
    std::size_t close = host.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view inside = host.substr(1, close - 1);
    bool literal = !inside.empty() && std::all_of(inside.begin(), inside.end(), [](char character) {
      return std::isxdigit(static_cast<unsigned char>(character)) != 0 || character == ':' || character == '.';
    });
    return literal ? host.substr(0, close + 1) : std::string_view();
  }
  host = host.substr(0, host.find(':'));
  bool name = !host.empty() && std::all_of(host.begin(), host.end(), [](char character) {
    return std::isalnum(static_cast<unsigned char>(character)) != 0 || character == '-' || character == '.';
  });
  return name ? host : std::string_view();
}

}  // namespace

boost::asio::awaitable<void> HttpsRedirectMiddleware::handle(Context& context, Next next) {
  const Request& request = context.request;
  if (context.secure || std::find(exempt_paths_.begin(), exempt_paths_.end(), request.path) != exempt_paths_.end()) {
    co_await next(context);
    co_return;
  }
  std::string_view host = host_of(request.header("Host"));
  if (host.empty()) {
    set_problem(context, 400, "this server answers over HTTPS; a Host header naming it is needed to redirect there");
    co_return;
  }
  // Path and query, not the raw target: an absolute-form target ("GET http://elsewhere/x") or "*" must
  // not end up in the Location.
  std::string location = "https://";
  location.append(host).append(port_suffix_).append(request.path.starts_with('/') ? request.path : "/");
  if (!request.query.empty()) location.append("?").append(request.query);
  context.response.add_header("Location", location);
  context.response.set_text(308, "Use " + location + "\n");
}

}  // namespace tachyon::http
