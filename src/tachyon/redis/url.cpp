// redis:// URLs: parsing into RedisOptions and a redacted rendering for logs.
#include <charconv>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tachyon/redis/client.hpp"

namespace tachyon::redis {

namespace {

constexpr std::string_view scheme = "redis://";

[[noreturn]] void invalid(std::string_view why) {
  throw std::invalid_argument("invalid redis URL: " + std::string(why));
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `what` names the part for the error message; the text itself is never repeated (it may be a secret).
std::string percent_decode(std::string_view text, std::string_view what) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] != '%') {
      decoded += text[index];
      continue;
    }
    int high = index + 2 < text.size() ? hex_digit(text[index + 1]) : -1;
    int low = index + 2 < text.size() ? hex_digit(text[index + 2]) : -1;
    if (high < 0 || low < 0) invalid("bad percent-encoding in the " + std::string(what));
    decoded += static_cast<char>(high * 16 + low);
    index += 2;
  }
  return decoded;
}

template <class Number>
bool parse_number(std::string_view text, Number& value) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

RedisOptions parse_redis_url(std::string_view url) {
  if (url.substr(0, 9) == "rediss://") invalid("rediss:// (TLS) is not supported");
  if (url.substr(0, scheme.size()) != scheme) invalid("it must start with redis://");
  std::string_view rest = url.substr(scheme.size());
  RedisOptions options;

  // The password may contain '@' or '/' unencoded, so userinfo ends at the last '@'.
  if (std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      options.password = percent_decode(userinfo, "password");  // redis://secret@host: a password alone
    } else {
      options.user = percent_decode(userinfo.substr(0, colon), "user");
      options.password = percent_decode(userinfo.substr(colon + 1), "password");
    }
  }

  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path = authority.size() < rest.size() ? rest.substr(authority.size() + 1) : std::string_view();
  if (authority.find('?') != std::string_view::npos || path.find('?') != std::string_view::npos) {
    invalid("query parameters are not supported");
  }

  std::string_view host = authority;
  std::string_view port;
  if (authority.substr(0, 1) == "[") {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) invalid("unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') invalid("unexpected text after the [IPv6] host");
      port = after.substr(1);
      if (port.empty()) invalid("empty port");
    }
  } else if (std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) invalid("empty port");
  }
  if (host.empty()) invalid("no host");
  options.host = std::string(host);
  if (!port.empty()) {
    unsigned number = 0;
    if (!parse_number(port, number) || number == 0 || number > 65535) {
      invalid("port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    options.port = static_cast<std::uint16_t>(number);
  }
  if (!path.empty()) {
    int database = 0;
    if (!parse_number(path, database) || database < 0) {
      invalid("database '" + std::string(path) + "' is not a non-negative number");
    }
    options.database = database;
  }
  return options;
}

std::string redacted_redis_url(std::string_view url) {
  std::size_t start = url.find("://");
  if (start == std::string_view::npos) return std::string(url);
  start += 3;
  std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  std::string_view userinfo = url.substr(start, at - start);
  std::size_t colon = userinfo.find(':');
  std::string user = colon == std::string_view::npos ? std::string() : std::string(userinfo.substr(0, colon));
  return std::string(url.substr(0, start)) + user + (colon == std::string_view::npos ? "" : ":") + "***" +
         std::string(url.substr(at));
}

}  // namespace tachyon::redis
