#include "tachyon/config/render.hpp"

#include <algorithm>
#include <cctype>

#include "tachyon/config/values.hpp"

namespace tachyon::config {
namespace {

// Characters that would change the meaning of an unquoted .env value.
bool needs_quotes(std::string_view value) {
  return std::any_of(value.begin(), value.end(), [](char character) {
    auto byte = static_cast<unsigned char>(character);
    return std::isspace(byte) != 0 || std::iscntrl(byte) != 0 || character == '#' || character == '"' ||
           character == '\'' || character == '\\';
  });
}

std::string display_value(const SettingSpec& spec, const std::string& value) {
  if (value.empty()) {
    return spec.empty_text;
  }
  if (spec.secret) {
    return std::string(secret_mask);
  }
  if (spec.redact) {
    std::string shown = spec.redact(value);
    return needs_quotes(shown) ? quote(shown) : shown;
  }
  return needs_quotes(value) ? quote(value) : value;
}

std::string escape_cell(std::string_view text) {
  std::string escaped;
  for (char character : text) {
    escaped += character == '|' ? std::string("\\|") : std::string(1, character);
  }
  return escaped;
}

// Appends rather than using "`" + string: GCC 12 at -O3 raises a false -Wrestrict on the latter.
std::string code(std::string_view text) {
  std::string cell = "`";
  cell += escape_cell(text);
  cell += '`';
  return cell;
}

std::string markdown_default(const SettingSpec& spec) {
  if (spec.default_text.empty()) {
    return escape_cell(spec.empty_text);
  }
  return spec.secret ? escape_cell(secret_mask) : code(spec.default_text);
}

}  // namespace

std::string render_effective(const SettingsTable& table, const Settings& settings) {
  std::string text;
  for (const SettingSpec& spec : table.specs()) {
    text += spec.variable + "=" + display_value(spec, spec.render(settings)) + "\n";
  }
  return text;
}

std::string render_markdown_table(const SettingsTable& table) {
  std::string markdown = "| Variable | Flag | Type | Default | Description |\n|---|---|---|---|---|\n";
  for (const SettingSpec& spec : table.specs()) {
    markdown += "| " + code(spec.variable) + " | " + code(spec.flag()) + " | " + escape_cell(spec.type) + " | " +
                markdown_default(spec) + " | " + escape_cell(spec.description) + " |\n";
  }
  return markdown;
}

}  // namespace tachyon::config
