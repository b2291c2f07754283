#include "tachyon/json/writer.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace tachyon::json {

namespace {

// For every byte: 0 when it is copied as is, otherwise the letter after the backslash ('u' means \u00XX).
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> table{};
  for (int byte = 0; byte < 0x20; ++byte) table[byte] = 'u';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}

constexpr std::array<char, 256> escape_table = make_escape_table();

void append_escape(std::string& out, unsigned char byte) {
  const char letter = escape_table[byte];
  if (letter != 'u') {
    const char pair[2] = {'\\', letter};
    out.append(pair, 2);
    return;
  }
  constexpr std::string_view hex_digits = "0123456789abcdef";
  const char sequence[6] = {'\\', 'u', '0', '0', hex_digits[byte >> 4], hex_digits[byte & 0xF]};
  out.append(sequence, 6);
}

template <typename Number>
void append_number(std::string& out, Number number) {
  char digits[32];  // enough for any int64, uint64 or shortest double
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, number);
  (void)error;  // cannot fail: the buffer fits the longest possible output
  out.append(digits, end);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  // Copy runs of plain bytes in one append: most strings need no escaping at all.
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (escape_table[byte] == 0) continue;
    out.append(text.data() + run_start, i - run_start);
    append_escape(out, byte);
    run_start = i + 1;
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out += '"';
}

void JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_ += ':';
  after_key_ = true;
}

void JsonWriter::value(std::string_view text) {
  before_value();
  append_json_string(out_, text);
}

void JsonWriter::value(const char* text) {
  if (text == nullptr) {
    null();
    return;
  }
  value(std::string_view(text));
}

void JsonWriter::value(std::int64_t number) {
  before_value();
  append_number(out_, number);
}

void JsonWriter::value(std::uint64_t number) {
  before_value();
  append_number(out_, number);
}

void JsonWriter::value(double number) {
  if (!std::isfinite(number)) {
    null();  // JSON has no NaN or Infinity
    return;
  }
  before_value();
  append_number(out_, number);
}

void JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? std::string_view("true") : std::string_view("false");
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

void JsonWriter::raw(std::string_view already_json) {
  before_value();
  out_ += already_json;
}

}  // namespace tachyon::json
