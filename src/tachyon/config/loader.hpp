// Builds Settings from defaults, then a .env file, then the process environment, then
// command-line flags (later sources win), rejecting bad values and misspelled names.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tachyon/config/settings.hpp"

namespace tachyon::config {

struct ConfigError {
  std::string variable;  // TACHYON_PORT, --port, TACHYON_ENV_FILE, or ".env:7" for a malformed line
  std::string message;   // never contains a secret's value

  // One line, e.g. `TACHYON_PORT: "80x" is not an integer between 0 and 65535`.
  std::string to_string() const;
};

// Names the loader itself reads, so they are valid in the environment without a SettingSpec.
inline constexpr std::string_view env_file_variable = "TACHYON_ENV_FILE";

struct Sources {
  // Which .env file to read. Unset: TACHYON_ENV_FILE from `environment`, else ".env" in the
  // current directory. The default file may be missing; a named file must exist.
  // Empty string: read no .env file at all.
  std::optional<std::string> env_file_path;
  std::map<std::string, std::string> environment;
  std::vector<std::string> flags;  // "--port", "8001" or "--port=8001"
};

// Fills the settings of `table`'s rows. Stops at the first problem. Unknown TACHYON_* names are errors
// in every source (a typo would otherwise be silently ignored); other names are ignored unless a row
// declares them, because the environment and shared .env files hold variables for other programs.
std::variant<Settings, ConfigError> load_settings(const SettingsTable& table, const Sources& sources);

// The real process environment plus `arguments` (the flags after the subcommand).
Sources sources_from_process(int argument_count, char** arguments);

}  // namespace tachyon::config
