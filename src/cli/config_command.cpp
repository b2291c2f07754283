// `tachyon config check`: validates the configuration and prints the effective values, secrets masked.
// `tachyon config table`: prints the settings table that docs/CONFIGURATION.md holds.
#include <cstdio>
#include <optional>

#include "cli/commands.hpp"
#include "tachyon/config/render.hpp"

namespace tachyon::cli {

int config_check_command(int argument_count, char** arguments) {
  std::optional<config::Settings> settings = load_or_report(argument_count, arguments);
  if (!settings) return 2;
  std::fputs(config::render_effective(settings_table(), *settings).c_str(), stdout);
  return 0;
}

int config_table_command() {
  std::fputs(config::render_markdown_table(settings_table()).c_str(), stdout);
  return 0;
}

}  // namespace tachyon::cli
