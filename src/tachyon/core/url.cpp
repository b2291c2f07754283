#include "tachyon/core/url.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace tachyon::core {
namespace {

namespace urls = boost::urls;

[[noreturn]] void reject(const std::string& why) {
  throw UrlError(why);
}

std::string lower_case(std::string_view text) {
  std::string result(text);
  for (char& character : result) {
    if (character >= 'A' && character <= 'Z') character = static_cast<char>(character + ('a' - 'A'));
  }
  return result;
}

bool is_host_name_character(char character) {
  return (character >= 'a' && character <= 'z') || (character >= '0' && character <= '9') || character == '-' ||
         character == '.' || character == '_';
}

std::uint16_t default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  if (scheme == "redis" || scheme == "rediss") return 6379;
  if (scheme == "postgres" || scheme == "postgresql") return 5432;
  return 0;
}

// Where the authority of "scheme://authority..." begins and ends (npos when the text has no "://").
struct AuthoritySpan {
  std::size_t begin = std::string_view::npos;
  std::size_t end = std::string_view::npos;
};

AuthoritySpan find_authority(std::string_view text) {
  std::size_t separator = text.find("://");
  if (separator == std::string_view::npos) return {};
  std::size_t begin = separator + 3;
  std::size_t end = text.find_first_of("/?#", begin);
  return {begin, end == std::string_view::npos ? text.size() : end};
}

// An '@' inside the userinfo becomes %40: only the last '@' of the authority ends the userinfo.
std::string encode_inner_at_signs(std::string_view text) {
  AuthoritySpan authority = find_authority(text);
  if (authority.begin == std::string_view::npos) return std::string(text);
  std::size_t last_at = text.substr(0, authority.end).rfind('@');
  if (last_at == std::string_view::npos || last_at < authority.begin) return std::string(text);
  std::string result(text.substr(0, authority.begin));
  for (std::size_t index = authority.begin; index < last_at; ++index) {
    if (text[index] == '@') {
      result += "%40";
    } else {
      result += text[index];
    }
  }
  result += text.substr(last_at);
  return result;
}

void read_host(const urls::url_view& view, Url& url) {
  switch (view.host_type()) {
    case urls::host_type::none:
      return;
    case urls::host_type::ipvfuture:
      reject("IPvFuture hosts are not supported");
    case urls::host_type::ipv4:
      url.host_kind = HostKind::ipv4;
      url.host = std::string(view.encoded_host_address());
      return;
    case urls::host_type::ipv6:
      url.host_kind = HostKind::ipv6;
      url.host = lower_case(std::string_view(view.encoded_host_address()));
      return;
    case urls::host_type::name:
      url.host = lower_case(view.host_name());
      if (url.host.empty()) return;
      url.host_kind = HostKind::name;
      for (char character : url.host) {
        if (!is_host_name_character(character)) reject("invalid character in the host name");
      }
      return;
  }
}

void read_port(const urls::url_view& view, Url& url) {
  url.port = default_port(url.scheme);
  if (!view.has_port()) return;
  std::string_view digits = view.port();
  if (digits.empty()) reject("empty port");
  unsigned value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    reject("port '" + std::string(digits) + "' is not a number from 1 to 65535");
  }
  url.port = static_cast<std::uint16_t>(value);
  url.port_given = true;
}

bool is_space_or_control(char character) {
  return static_cast<unsigned char>(character) <= ' ' || character == 0x7f;
}

// Names the part at fault when Boost.URL refuses the text, for an error a user can act on.
std::string diagnose(std::string_view text) {
  AuthoritySpan authority = find_authority(text);
  std::string_view host = text.substr(authority.begin, authority.end - authority.begin);
  host = host.substr(host.rfind('@') == std::string_view::npos ? 0 : host.rfind('@') + 1);
  if (host.starts_with('[') && host.find(']') == std::string_view::npos) return "unterminated [IPv6] host";
  if (host.starts_with('[')) return "invalid [IPv6] host";
  if (std::any_of(host.begin(), host.end(), is_space_or_control)) return "invalid character in the host";
  std::string_view rest = text.substr(authority.end);
  if (std::any_of(rest.begin(), rest.end(), is_space_or_control)) {
    return "invalid character in the path or query (spaces and control characters must be percent-encoded)";
  }
  return "not a valid URL (RFC 3986); a space, or a '/', '?' or '#' in a password, must be percent-encoded";
}

}  // namespace

std::string Url::host_and_port() const {
  std::string result = host_kind == HostKind::ipv6 ? "[" + host + "]" : host;
  if (port_given) result += ":" + std::to_string(port);
  return result;
}

Url parse_url(std::string_view text) {
  if (find_authority(text).begin == std::string_view::npos) reject("expected scheme://...");
  std::string lenient = encode_inner_at_signs(text);
  urls::result<urls::url_view> parsed = urls::parse_uri(lenient);
  if (!parsed) reject(diagnose(lenient));
  const urls::url_view& view = *parsed;
  // Boost.URL 1.81 takes "http://host:x" as port "" and path "x" (RFC 3986 wants a path after an authority
  // to start with '/'): what follows the ':' was not a port. The text is not repeated: it may be a password.
  if (view.has_authority() && !view.encoded_path().empty() && !view.encoded_path().starts_with('/')) {
    reject("the port is not a number from 1 to 65535 (a '/' in a password must be percent-encoded as %2F)");
  }
  Url url;
  url.scheme = lower_case(std::string_view(view.scheme()));
  url.has_userinfo = view.has_userinfo();
  url.user = view.user();
  url.has_password = view.has_password();
  url.password = view.password();
  read_host(view, url);
  read_port(view, url);
  if (url.host.empty() && url.scheme != "unix") reject("missing host");
  url.path = std::string(view.encoded_path());
  url.has_query = view.has_query();
  url.query = std::string(view.encoded_query());
  url.has_fragment = view.has_fragment();
  return url;
}

std::string redact_url(std::string_view text) {
  AuthoritySpan authority = find_authority(text);
  if (authority.begin == std::string_view::npos) return std::string(text);
  std::size_t userinfo_end = text.substr(0, authority.end).rfind('@');
  bool parses = true;
  try {
    parse_url(text);
  } catch (const UrlError&) {
    parses = false;
    // A password with an unencoded '/' or '?' ends the authority early: hide up to the very last '@'.
    userinfo_end = text.rfind('@');
  }
  if (userinfo_end == std::string_view::npos || userinfo_end < authority.begin) return std::string(text);
  std::string_view userinfo = text.substr(authority.begin, userinfo_end - authority.begin);
  std::size_t colon = userinfo.find(':');
  std::string shown(text.substr(0, authority.begin));
  if (parses && colon != std::string_view::npos) shown += userinfo.substr(0, colon + 1);
  shown += "***";
  shown += text.substr(userinfo_end);
  return shown;
}

std::string percent_decode(std::string_view text) {
  urls::result<urls::pct_string_view> encoded = urls::make_pct_string_view(text);
  if (!encoded) reject("malformed percent-encoding");
  return encoded->decode();
}

std::optional<std::string> origin_problem(std::string_view text) {
  Url url;
  try {
    url = parse_url(text);
  } catch (const UrlError&) {
    return "is not an origin such as https://app.example.com";
  }
  if (url.has_userinfo || !url.path.empty() || url.has_query || url.has_fragment || url.host.empty()) {
    return "is not an origin such as https://app.example.com (scheme, host and port only, no path)";
  }
  bool default_port = (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
  if (url.port_given && default_port) {
    return "names its scheme's default port, which browsers leave out of the Origin header";
  }
  if (url.scheme + "://" + url.host_and_port() != text) {
    return "is not written as browsers send it (lower-case scheme and host)";
  }
  return std::nullopt;
}

bool is_postgres_url(std::string_view text) {
  return text.starts_with("postgresql://") || text.starts_with("postgres://");
}

}  // namespace tachyon::core
