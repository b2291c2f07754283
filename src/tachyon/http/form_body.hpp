// application/x-www-form-urlencoded bodies (WHATWG URL §5, as RFC 6749 §3.2 token requests send them):
// `name=value&...`, percent-decoded with '+' as a space. A parameter given twice is refused, as RFC 6749
// §3.1 requires of OAuth requests, rather than one of the values being picked silently.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::http {

struct FormBody {
  std::map<std::string, std::string, std::less<>> fields;
  std::string error;  // why the body was refused; empty when it parsed

  // The value, or nullopt when absent; an empty value counts as absent (RFC 6749 §3.1).
  std::optional<std::string_view> get(std::string_view name) const;
};

FormBody parse_form_body(std::string_view body);

// Whether the Content-Type is application/x-www-form-urlencoded (parameters such as charset allowed).
bool is_form_content_type(std::string_view content_type);

}  // namespace tachyon::http
