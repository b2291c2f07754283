// The one URL parser of Tachyon: every URL a user gives it (REDIS_URL, upstream base URLs, `tachyon
// bench` targets, database URLs in logs) goes through parse_url, which is RFC 3986 by Boost.URL plus one
// leniency browsers also have, and through redact_url before it is shown anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tachyon::core {

enum class HostKind { none, name, ipv4, ipv6 };

struct Url {
  std::string scheme;  // lower case
  bool has_userinfo = false;
  std::string user;  // percent-decoded
  bool has_password = false;
  std::string password;  // percent-decoded; never in an error message
  HostKind host_kind = HostKind::none;
  std::string host;        // names lower case; IPv6 without brackets; empty for `unix:///path`
  std::uint16_t port = 0;  // as given, else the scheme's default (http 80, https 443, redis 6379), else 0
  bool port_given = false;
  std::string path;  // percent-encoded, as written: "" or starting with '/'
  bool has_query = false;
  std::string query;  // percent-encoded, without the '?'
  bool has_fragment = false;

  // What a Host header carries: the host (IPv6 in brackets) and ":port" when one was given.
  std::string host_and_port() const;
};

// Why text is not a URL; the message never repeats the text (it may hold a password).
class UrlError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An absolute URL (scheme://authority/path?query#fragment, or `unix:///socket/path`). Accepts what RFC 3986
// accepts, and additionally an unencoded '@' inside the userinfo (the last '@' before the path ends it, as
// in the WHATWG URL Standard), because generated passwords contain '@'. Host names may only use letters,
// digits, '-', '.' and '_'; ports are 1..65535. Throws UrlError.
Url parse_url(std::string_view text);

// The text with its password shown as "***" ("redis://app:***@cache:6379/0"); a userinfo without ':' is
// masked whole ("https://***@github.com"), since tokens travel there. Text that is not a URL keeps
// nothing between "://" and its last '@'. Text without userinfo is returned unchanged.
std::string redact_url(std::string_view text);

// True for the URLs PostgreSQL's backend takes (postgresql:// and postgres://, libpq's URI syntax).
bool is_postgres_url(std::string_view text);

// Why `text` is not a serialized origin as browsers send it in an Origin header (RFC 6454 §6.2:
// lower-case scheme and host, the port only when it is not the scheme's default, no path), if it is not.
std::optional<std::string> origin_problem(std::string_view text);

// Decodes %XX escapes (a path segment, a query value); throws UrlError on a malformed escape.
std::string percent_decode(std::string_view text);

}  // namespace tachyon::core
