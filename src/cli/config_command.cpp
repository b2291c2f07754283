// `tachyon config check`: validates the configuration and prints the effective values, secrets masked.
// `tachyon config table`: prints the settings table that docs/CONFIGURATION.md holds.
#include <cstdio>
#include <variant>

#include "cli/commands.hpp"
#include "tachyon/config/loader.hpp"
#include "tachyon/config/render.hpp"

namespace tachyon::cli {

int config_check_command(int argument_count, char** arguments) {
  auto loaded = config::load_settings(config::sources_from_process(argument_count, arguments));
  if (const auto* error = std::get_if<config::ConfigError>(&loaded)) {
    std::fprintf(stderr, "tachyon: %s\n", error->to_string().c_str());
    return 2;
  }
  std::fputs(config::render_effective(std::get<config::Settings>(loaded)).c_str(), stdout);
  return 0;
}

int config_table_command() {
  std::fputs(config::render_markdown_table().c_str(), stdout);
  return 0;
}

}  // namespace tachyon::cli
