#include "tachyon/config/values.hpp"

#include "tachyon/http/field_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace tachyon::config {
namespace {

constexpr std::uint64_t kibibyte = 1024;
constexpr std::uint64_t mebibyte = 1024 * kibibyte;
constexpr std::uint64_t gibibyte = 1024 * mebibyte;

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Largest first, so formatting picks the biggest exact unit.
constexpr std::array<Unit, 3> size_units{{{"GiB", gibibyte}, {"MiB", mebibyte}, {"KiB", kibibyte}}};
constexpr std::array<Unit, 4> duration_units{{{"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1}}};

struct NumberWithSuffix {
  std::uint64_t number = 0;
  std::string_view suffix;
};

// Leading decimal digits and whatever follows them; nullopt when there are no digits or
// they overflow 64 bits.
std::optional<NumberWithSuffix> split_number(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) != 0) {
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  NumberWithSuffix result;
  auto [end, error] = std::from_chars(text.data(), text.data() + digits, result.number);
  if (error != std::errc{} || end != text.data() + digits) {
    return std::nullopt;
  }
  result.suffix = text.substr(digits);
  return result;
}

template <std::size_t count>
std::optional<std::uint64_t> factor_for(std::string_view suffix, const std::array<Unit, count>& units) {
  for (const Unit& unit : units) {
    if (suffix == unit.suffix) {
      return unit.factor;
    }
  }
  return std::nullopt;
}

// Multiplies unless the product would exceed `limit`.
std::optional<std::uint64_t> scale(std::uint64_t number, std::uint64_t factor, std::uint64_t limit) {
  if (number > limit / factor) {
    return std::nullopt;
  }
  return number * factor;
}

// Plain bytes when there is no suffix.
std::optional<std::uint64_t> size_factor(const NumberWithSuffix& parsed) {
  return parsed.suffix.empty() ? std::optional<std::uint64_t>{1} : factor_for(parsed.suffix, size_units);
}

// Milliseconds; a unit-less zero is unambiguous, any other unit-less number is a likely
// seconds/milliseconds mix-up, so it has no factor.
std::optional<std::uint64_t> duration_factor(const NumberWithSuffix& parsed) {
  if (parsed.suffix.empty()) {
    return parsed.number == 0 ? std::optional<std::uint64_t>{1} : std::nullopt;
  }
  return factor_for(parsed.suffix, duration_units);
}

// The number in `text` times its suffix's factor; nullopt for bad syntax or above `limit`.
std::optional<std::uint64_t> scaled_amount(std::string_view text,
                                           std::optional<std::uint64_t> (*factor_of)(const NumberWithSuffix&),
                                           std::uint64_t limit) {
  auto parsed = split_number(text);
  auto factor = parsed ? factor_of(*parsed) : std::nullopt;
  return factor ? scale(parsed->number, *factor, limit) : std::nullopt;
}

template <std::size_t count>
std::string format_with_units(std::uint64_t amount, const std::array<Unit, count>& units) {
  for (const Unit& unit : units) {
    if (amount != 0 && amount % unit.factor == 0) {
      return std::to_string(amount / unit.factor) + std::string(unit.suffix);
    }
  }
  return std::to_string(amount);
}

std::string integer_reason(std::uint64_t minimum, std::uint64_t maximum) {
  return "is not an integer between " + std::to_string(minimum) + " and " + std::to_string(maximum);
}

std::string size_reason(std::uint64_t minimum, std::uint64_t maximum) {
  return "is not a size between " + format_size(minimum) + " and " + format_size(maximum) +
         " (bytes, or a whole number with KiB, MiB or GiB, e.g. 64KiB)";
}

std::string duration_reason(std::chrono::milliseconds minimum, std::chrono::milliseconds maximum) {
  return "is not a duration between " + format_duration(minimum) + " and " + format_duration(maximum) +
         " (a whole number with ms, s, m or h, e.g. 10s)";
}

template <typename Value>
ParseResult<Value> accepted(Value value) {
  return ParseResult<Value>{value, {}};
}

template <typename Value>
ParseResult<Value> rejected(std::string reason) {
  return ParseResult<Value>{std::nullopt, std::move(reason)};
}

}  // namespace

ParseResult<std::uint64_t> parse_integer(std::string_view text, std::uint64_t minimum, std::uint64_t maximum) {
  auto parsed = split_number(text);
  if (!parsed || !parsed->suffix.empty() || parsed->number < minimum || parsed->number > maximum) {
    return rejected<std::uint64_t>(integer_reason(minimum, maximum));
  }
  return accepted(parsed->number);
}

ParseResult<std::uint64_t> parse_size(std::string_view text, std::uint64_t minimum, std::uint64_t maximum) {
  auto bytes = scaled_amount(text, size_factor, maximum);
  if (!bytes || *bytes < minimum) {
    return rejected<std::uint64_t>(size_reason(minimum, maximum));
  }
  return accepted(*bytes);
}

ParseResult<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::milliseconds minimum,
                                                      std::chrono::milliseconds maximum) {
  auto limit = static_cast<std::uint64_t>(std::max<std::int64_t>(maximum.count(), 0));
  auto count = scaled_amount(text, duration_factor, limit);
  if (!count || std::chrono::milliseconds(static_cast<std::int64_t>(*count)) < minimum) {
    return rejected<std::chrono::milliseconds>(duration_reason(minimum, maximum));
  }
  return accepted(std::chrono::milliseconds(static_cast<std::int64_t>(*count)));
}

ParseResult<bool> parse_boolean(std::string_view text) {
  for (std::string_view word : {"true", "yes", "on", "1"}) {
    if (equals_ignoring_case(text, word)) {
      return accepted(true);
    }
  }
  for (std::string_view word : {"false", "no", "off", "0"}) {
    if (equals_ignoring_case(text, word)) {
      return accepted(false);
    }
  }
  return rejected<bool>("is not a boolean (true/false, yes/no, on/off, 1/0)");
}

ParseResult<std::size_t> parse_choice(std::string_view text, std::span<const std::string_view> choices) {
  std::string listing;
  for (std::size_t index = 0; index < choices.size(); ++index) {
    if (equals_ignoring_case(text, choices[index])) {
      return accepted(index);
    }
    listing += (index == 0 ? "" : ", ") + std::string(choices[index]);
  }
  return rejected<std::size_t>("is not one of " + listing);
}

namespace {

std::optional<std::string> media_type_problem(std::string_view entry) {
  std::size_t slash = entry.find('/');
  bool whole_type = slash != std::string_view::npos && slash + 1 == entry.size();
  // Entries arrive lower-cased (parse_media_type_list).
  if (slash == std::string_view::npos || !http::is_token(entry.substr(0, slash)) ||
      (!whole_type && !http::is_token(entry.substr(slash + 1))) || entry.find('*') != std::string_view::npos) {
    return "is not a media type such as application/json or text/";
  }
  return std::nullopt;
}

}  // namespace

ParseResult<std::vector<std::string>> parse_list(
    std::string_view text, const std::function<std::optional<std::string>(std::string_view)>& check,
    bool empty_allowed) {
  std::vector<std::string> entries;
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) {
    if (empty_allowed) return accepted(std::move(entries));
    return rejected<std::vector<std::string>>("is empty");
  }
  rest = text;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view entry = rest.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) return rejected<std::vector<std::string>>("has an empty entry");
    if (std::optional<std::string> problem = check(entry)) {
      return rejected<std::vector<std::string>>("has " + quote(entry) + ", which " + *problem);
    }
    entries.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return accepted(std::move(entries));
}

ParseResult<std::vector<std::string>> parse_media_type_list(std::string_view text) {
  std::string lower;
  for (char character : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  return parse_list(lower, media_type_problem, false);
}

ParseResult<std::vector<std::string>> parse_token_list(std::string_view text) {
  return parse_list(
      text,
      [](std::string_view entry) -> std::optional<std::string> {
        if (http::is_token(entry)) return std::nullopt;
        return "is not a method or header name";
      },
      true);
}

std::string format_list(const std::vector<std::string>& entries) {
  std::string joined;
  for (const std::string& entry : entries) joined += (joined.empty() ? "" : ",") + entry;
  return joined;
}

std::string format_size(std::uint64_t bytes) {
  return format_with_units(bytes, size_units);
}

std::string format_duration(std::chrono::milliseconds duration) {
  if (duration.count() < 0) {
    return std::to_string(duration.count()) + "ms";  // never produced by the parser; shown as-is
  }
  return format_with_units(static_cast<std::uint64_t>(duration.count()), duration_units);
}

std::string quote(std::string_view text) {
  static constexpr std::string_view hex_digits = "0123456789abcdef";
  std::string quoted = "\"";
  for (char character : text) {
    auto byte = static_cast<unsigned char>(character);
    switch (character) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\r':
        quoted += "\\r";
        break;
      case '\t':
        quoted += "\\t";
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          quoted += "\\x";
          quoted += hex_digits[byte >> 4];
          quoted += hex_digits[byte & 0x0f];
        } else {
          quoted += character;
        }
    }
  }
  return quoted + "\"";
}

bool equals_ignoring_case(std::string_view left, std::string_view right) {
  if (left.size() != right.size()) {
    return false;
  }
  for (std::size_t index = 0; index < left.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(left[index])) !=
        std::tolower(static_cast<unsigned char>(right[index]))) {
      return false;
    }
  }
  return true;
}

}  // namespace tachyon::config
