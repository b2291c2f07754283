#include "tachyon/config/dotenv.hpp"

#include <cctype>
#include <optional>
#include <utility>

namespace tachyon::config {
namespace {

bool is_blank(char character) {
  return character == ' ' || character == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_valid_key(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front())) != 0) {
    return false;
  }
  for (char character : key) {
    if (std::isalnum(static_cast<unsigned char>(character)) == 0 && character != '_') {
      return false;
    }
  }
  return true;
}

// What may follow a closing quote: nothing, or whitespace then a # comment.
bool is_ignorable_tail(std::string_view tail) {
  std::string_view rest = trim(tail);
  return rest.empty() || (rest.front() == '#' && rest.size() != tail.size());
}

// Either the parsed value or the reason it is malformed.
struct ValueOutcome {
  std::string value;
  std::optional<std::string> problem;
};

ValueOutcome parse_single_quoted(std::string_view text) {
  std::size_t closing = text.find('\'', 1);
  if (closing == std::string_view::npos) {
    return {{}, "unterminated single-quoted value"};
  }
  if (!is_ignorable_tail(text.substr(closing + 1))) {
    return {{}, "unexpected text after the closing quote"};
  }
  return {std::string(text.substr(1, closing - 1)), std::nullopt};
}

std::optional<char> unescape(char escaped) {
  switch (escaped) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '"':
      return '"';
    case '\\':
      return '\\';
    default:
      return std::nullopt;
  }
}

ValueOutcome parse_double_quoted(std::string_view text) {
  std::string value;
  for (std::size_t index = 1; index < text.size(); ++index) {
    char character = text[index];
    if (character == '"') {
      if (!is_ignorable_tail(text.substr(index + 1))) {
        return {{}, "unexpected text after the closing quote"};
      }
      return {std::move(value), std::nullopt};
    }
    if (character == '\\') {
      auto unescaped = index + 1 < text.size() ? unescape(text[index + 1]) : std::nullopt;
      if (!unescaped) {
        return {{}, "unknown escape in double-quoted value (use \\n, \\t, \\r, \\\" or \\\\)"};
      }
      value += *unescaped;
      ++index;
      continue;
    }
    value += character;
  }
  return {{}, "unterminated double-quoted value"};
}

// A # starts a comment only after whitespace, so values like URL fragments (a#b) survive.
ValueOutcome parse_unquoted(std::string_view text) {
  for (std::size_t index = 1; index < text.size(); ++index) {
    if (text[index] == '#' && is_blank(text[index - 1])) {
      text = text.substr(0, index);
      break;
    }
  }
  return {std::string(trim(text)), std::nullopt};
}

ValueOutcome parse_value(std::string_view raw) {
  // A comment right after "=" (KEY= # note) means an empty value.
  std::string_view text = trim(raw);
  if (text.starts_with('#') && !raw.empty() && is_blank(raw.front())) {
    return {{}, std::nullopt};
  }
  if (text.starts_with('\'')) {
    return parse_single_quoted(text);
  }
  if (text.starts_with('"')) {
    return parse_double_quoted(text);
  }
  return parse_unquoted(text);
}

std::string_view strip_export(std::string_view line) {
  constexpr std::string_view keyword = "export";
  if (line.starts_with(keyword) && line.size() > keyword.size() && is_blank(line[keyword.size()])) {
    return trim(line.substr(keyword.size()));
  }
  return line;
}

struct LineOutcome {
  std::optional<DotenvEntry> entry;  // empty for blank and comment lines
  std::optional<std::string> problem;
};

LineOutcome parse_line(std::string_view raw_line, int number) {
  std::string_view line = trim(raw_line);
  if (line.empty() || line.front() == '#') {
    return {};
  }
  line = strip_export(line);
  std::size_t equals = line.find('=');
  if (equals == std::string_view::npos) {
    return {std::nullopt, "expected KEY=VALUE"};
  }
  std::string_view key = trim(line.substr(0, equals));
  if (!is_valid_key(key)) {
    return {std::nullopt, "expected KEY=VALUE where KEY is letters, digits and _ (not starting with a digit)"};
  }
  ValueOutcome value = parse_value(line.substr(equals + 1));
  if (value.problem) {
    return {std::nullopt, std::move(value.problem)};
  }
  return {DotenvEntry{std::string(key), std::move(value.value), number}, std::nullopt};
}

const DotenvEntry* find_entry(const std::vector<DotenvEntry>& entries, std::string_view key) {
  for (const DotenvEntry& entry : entries) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

}  // namespace

std::variant<std::vector<DotenvEntry>, DotenvError> parse_dotenv(std::string_view text) {
  // Editors on Windows may prepend a byte order mark; it is not part of the first key.
  constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";
  if (text.starts_with(byte_order_mark)) {
    text.remove_prefix(byte_order_mark.size());
  }
  std::vector<DotenvEntry> entries;
  int number = 0;
  while (!text.empty()) {
    ++number;
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);

    LineOutcome outcome = parse_line(line, number);
    if (outcome.problem) {
      return DotenvError{number, std::move(*outcome.problem)};
    }
    if (!outcome.entry) {
      continue;
    }
    if (const DotenvEntry* earlier = find_entry(entries, outcome.entry->key)) {
      return DotenvError{number, outcome.entry->key + " is already set on line " + std::to_string(earlier->line)};
    }
    entries.push_back(std::move(*outcome.entry));
  }
  return entries;
}

}  // namespace tachyon::config
