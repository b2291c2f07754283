#include "tachyon/http/request.hpp"

#include <array>

namespace tachyon::http {

namespace {
constexpr std::array<std::string_view, method_count> method_names = {"GET",   "HEAD",   "POST",   "PUT",
                                                                     "PATCH", "DELETE", "OPTIONS"};

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string_view method_name(Method method) {
  auto index = static_cast<std::size_t>(method);
  return index < method_names.size() ? method_names[index] : std::string_view("_OTHER");
}

Method parse_method(std::string_view text) {
  for (std::size_t i = 0; i < method_names.size(); ++i) {
    if (method_names[i] == text) return static_cast<Method>(i);
  }
  return Method::unsupported;
}

bool iequals(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (ascii_lower(left[i]) != ascii_lower(right[i])) return false;
  }
  return true;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      decoded.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      decoded.push_back(' ');
    } else {
      decoded.push_back(c);
    }
  }
  return decoded;
}

std::string_view Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return true;
  }
  return false;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    std::size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto decoded_key = percent_decode(key, true);
    if (decoded_key && *decoded_key == name) return percent_decode(value, true);
  }
  return std::nullopt;
}

void Request::clear() {
  method = Method::unsupported;
  method_text = target = path = query = body = {};
  version_minor = 1;
  keep_alive = true;
  chunked = false;
  expect_continue = false;
  content_length.reset();
  headers.clear();
}

}  // namespace tachyon::http
