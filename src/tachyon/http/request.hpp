// The parsed HTTP/1.1 request: zero-copy views into the connection's input buffer, valid while the
// handler runs. Header lookup is case-insensitive (RFC 9110 §5.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::http {

enum class Method : std::uint8_t { get, head, post, put, patch, delete_, options, unsupported };

inline constexpr int method_count = 7;  // methods a route can be registered for (all but unsupported)

std::string_view method_name(Method method);
Method parse_method(std::string_view text);

struct Header {
  std::string_view name;
  std::string_view value;
};

bool iequals(std::string_view left, std::string_view right);

// Percent-decodes a URL component; '+' becomes a space when `plus_as_space` (query strings).
// Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

class Request {
 public:
  Method method = Method::unsupported;
  std::string_view method_text;
  std::string_view target;  // as sent: path plus query
  std::string_view path;    // still percent-encoded
  std::string_view query;   // without the '?'
  int version_minor = 1;    // HTTP/1.<minor>
  bool keep_alive = true;
  bool chunked = false;
  bool expect_continue = false;  // `Expect: 100-continue`: the client waits for an interim 100
  std::optional<std::uint64_t> content_length;
  std::string_view body;
  std::vector<Header> headers;

  // The first header of that name, or an empty view.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // The decoded value of the first query parameter of that name.
  std::optional<std::string> query_param(std::string_view name) const;

  void clear();
};

}  // namespace tachyon::http
