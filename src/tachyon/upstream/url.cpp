// parse_url: the upstream base URLs of settings such as POSTS_UPSTREAM_URL, through the one URL parser.
#include <stdexcept>
#include <string>

#include "tachyon/core/url.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::upstream {
namespace {

[[noreturn]] void reject(std::string_view text, std::string_view reason) {
  throw std::invalid_argument("invalid upstream URL '" + core::redact_url(text) + "': " + std::string(reason));
}

}  // namespace

Url parse_url(std::string_view text) {
  core::Url parsed;
  try {
    parsed = core::parse_url(text);
  } catch (const core::UrlError& error) {
    reject(text, error.what());
  }
  if (parsed.scheme != "http" && parsed.scheme != "https") reject(text, "scheme must be http or https");
  if (parsed.has_userinfo) reject(text, "user info is not supported");
  if (parsed.has_query || parsed.has_fragment) reject(text, "a base URL has no query or fragment");
  std::string_view path = parsed.path;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return Url{.scheme = parsed.scheme, .host = parsed.host, .port = parsed.port, .base_path = std::string(path)};
}

}  // namespace tachyon::upstream
