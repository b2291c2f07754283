// Reading header field values (RFC 9110 §5.6): tokens (method and field names), optional whitespace
// trimmed, and comma-separated lists walked element by element (empty elements skipped, as §5.6.1 asks
// of recipients).
#pragma once

#include <array>
#include <string_view>

namespace tachyon::http {

namespace detail {
// tchar of RFC 9110 §5.6.2: the characters of a method or a header name.
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
inline constexpr std::array<bool, 256> token_table = make_token_table();
}  // namespace detail

inline bool is_token_character(char character) {
  return detail::token_table[static_cast<unsigned char>(character)];
}

// A non-empty token (RFC 9110 §5.6.2): a method, a header field name.
inline bool is_token(std::string_view text) {
  if (text.empty()) return false;
  for (char character : text) {
    if (!is_token_character(character)) return false;
  }
  return true;
}

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
