// Human-readable views of the settings: the effective configuration (secrets masked) for
// startup logs and `config` commands, and the Markdown table in docs/CONFIGURATION.md.
#pragma once

#include <string>
#include <string_view>

#include "tachyon/config/settings.hpp"

namespace tachyon::config {

// Shown instead of a non-empty secret's value.
inline constexpr std::string_view secret_mask = "********";

// One NAME=value line per setting, in table order. Values that need it are double-quoted
// with .env escapes; secrets show as ******** and empty values as the row's empty_text
// (e.g. "(generated at start)"). Never contains a secret's text.
std::string render_effective(const SettingsTable& table, const Settings& settings);

// The "Variable | Flag | Type | Default | Description" table, one row per setting.
std::string render_markdown_table(const SettingsTable& table);

}  // namespace tachyon::config
