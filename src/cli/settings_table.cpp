// The settings table the binary serves with: the library's rows, then each app's.
#include <cstdio>
#include <variant>

#include "app/acme/settings.hpp"
#include "cli/commands.hpp"
#include "tachyon/config/loader.hpp"

namespace tachyon::cli {

const config::SettingsTable& settings_table() {
  static const config::SettingsTable table = [] {
    config::SettingsTable composed = config::library_settings();
    app::acme::add_settings(composed);
    return composed;
  }();
  return table;
}

std::optional<config::Settings> load_or_report(int argument_count, char** arguments) {
  auto loaded = config::load_settings(settings_table(), config::sources_from_process(argument_count, arguments));
  if (const auto* error = std::get_if<config::ConfigError>(&loaded)) {
    std::fprintf(stderr, "tachyon: %s\n", error->to_string().c_str());
    return std::nullopt;
  }
  return std::get<config::Settings>(std::move(loaded));
}

}  // namespace tachyon::cli
