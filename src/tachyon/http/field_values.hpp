// Reading header field values (RFC 9110 §5.6): optional whitespace trimmed, and comma-separated lists
// walked element by element (empty elements skipped, as §5.6.1 asks of recipients).
#pragma once

#include <string_view>

namespace tachyon::http {

// `text` without leading and trailing spaces and tabs (OWS).
inline std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `visit` for each comma-separated, trimmed, non-empty element of a list field value.
template <class Visit>
void for_each_list_element(std::string_view value, Visit visit) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view element = trim_whitespace(value.substr(0, comma));
    if (!element.empty()) visit(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace tachyon::http
