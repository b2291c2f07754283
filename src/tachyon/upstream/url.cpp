// parse_url: the upstream base URLs of settings such as POSTS_UPSTREAM_URL.
#include <charconv>
#include <stdexcept>
#include <string>

#include "tachyon/upstream/http_client.hpp"

namespace tachyon::upstream {
namespace {

[[noreturn]] void reject(std::string_view text, const std::string& reason) {
  throw std::invalid_argument("invalid upstream URL '" + std::string(text) + "': " + reason);
}

std::string lower_case(std::string_view text) {
  std::string result(text);
  for (char& character : result) {
    if (character >= 'A' && character <= 'Z') character = static_cast<char>(character + 32);
  }
  return result;
}

bool valid_host_character(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
         (character >= '0' && character <= '9') || character == '-' || character == '.' || character == '_';
}

}  // namespace

Url parse_url(std::string_view text) {
  Url url;
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) reject(text, "expected scheme://host");
  url.scheme = lower_case(text.substr(0, separator));
  if (url.scheme != "http" && url.scheme != "https") reject(text, "scheme must be http or https");
  std::string_view rest = text.substr(separator + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) reject(text, "a base URL has no query or fragment");
  std::size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) reject(text, "user info is not supported");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) reject(text, "unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    if (url.host.empty() || url.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos) {
      reject(text, "invalid IPv6 address");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') reject(text, "unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) reject(text, "empty port");
    }
  } else {
    std::size_t colon = authority.find(':');
    url.host = lower_case(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) reject(text, "empty port");
    }
    if (url.host.empty()) reject(text, "missing host");
    for (char character : url.host) {
      if (!valid_host_character(character)) reject(text, "invalid character in host");
    }
  }

  url.port = url.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (error != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      reject(text, "port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (char character : path) {
    if (static_cast<unsigned char>(character) <= ' ' || character == 0x7f) reject(text, "invalid character in path");
  }
  url.base_path = std::string(path);
  return url;
}

}  // namespace tachyon::upstream
