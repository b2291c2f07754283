#include "tachyon/config/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "tachyon/config/dotenv.hpp"
#include "tachyon/config/values.hpp"

namespace tachyon::config {
namespace {

constexpr std::string_view project_prefix = "TACHYON_";
constexpr std::string_view default_env_file = ".env";

// Optimal string alignment distance: like Levenshtein, but a swap of neighbours ("prot" for
// "port") counts as one edit, since that is the most common typing slip.
std::size_t edit_distance(std::string_view left, std::string_view right) {
  std::vector<std::vector<std::size_t>> table(left.size() + 1, std::vector<std::size_t>(right.size() + 1));
  for (std::size_t row = 0; row <= left.size(); ++row) {
    for (std::size_t column = 0; column <= right.size(); ++column) {
      if (row == 0 || column == 0) {
        table[row][column] = row + column;
        continue;
      }
      std::size_t substitution = left[row - 1] == right[column - 1] ? 0 : 1;
      table[row][column] =
          std::min({table[row - 1][column] + 1, table[row][column - 1] + 1, table[row - 1][column - 1] + substitution});
      if (row > 1 && column > 1 && left[row - 1] == right[column - 2] && left[row - 2] == right[column - 1]) {
        table[row][column] = std::min(table[row][column], table[row - 2][column - 2] + 1);
      }
    }
  }
  return table[left.size()][right.size()];
}

// " (did you mean --port?)" when some setting is a plausible intended name, else "".
// Compares flag forms so TACHYON_PROT and --prot get the same suggestion.
std::string suggestion_for(const SettingsTable& table, std::string_view unknown, bool as_flag) {
  std::string typed = SettingSpec::flag_name_for(unknown.starts_with("--") ? unknown.substr(2) : unknown);
  const SettingSpec* best = nullptr;
  std::size_t best_distance = std::max<std::size_t>(1, (typed.size() - 2) / 3) + 1;
  for (const SettingSpec& spec : table.specs()) {
    std::size_t distance = edit_distance(typed, spec.flag());
    if (distance < best_distance) {
      best = &spec;
      best_distance = distance;
    }
  }
  if (best == nullptr) {
    return "";
  }
  return " (did you mean " + (as_flag ? best->flag() : best->variable) + "?)";
}

std::optional<ConfigError> assign(Settings& settings, const SettingSpec& spec, std::string_view name,
                                  std::string_view value, std::string_view origin) {
  auto reason = spec.bind(settings, value);
  if (!reason) {
    return std::nullopt;
  }
  std::string shown = spec.secret ? "the secret value" : quote(spec.redact ? spec.redact(value) : std::string(value));
  return ConfigError{std::string(name), shown + " " + *reason + std::string(origin)};
}

// Which file to read and whether it must exist.
struct EnvFileChoice {
  std::string path;  // empty: no file
  bool required = false;
};

EnvFileChoice choose_env_file(const Sources& sources) {
  if (sources.env_file_path) {
    return {*sources.env_file_path, true};
  }
  auto named = sources.environment.find(std::string(env_file_variable));
  if (named != sources.environment.end()) {
    return {named->second, true};
  }
  return {std::string(default_env_file), false};
}

// The file's text, nullopt for a missing optional file, or why it could not be read.
std::variant<std::optional<std::string>, ConfigError> read_env_file(const EnvFileChoice& choice) {
  namespace fs = std::filesystem;
  auto failure = [&](std::string_view why) {
    return ConfigError{std::string(env_file_variable), quote(choice.path) + " " + std::string(why)};
  };
  std::error_code error;
  fs::file_status status = fs::status(choice.path, error);
  if (status.type() == fs::file_type::not_found) {
    if (choice.required) {
      return failure("does not exist");
    }
    return std::optional<std::string>{};
  }
  if (status.type() == fs::file_type::directory) {
    return failure("is a directory, not a .env file");
  }
  std::ifstream file(choice.path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file || error) {
    return failure("cannot be read");
  }
  return std::optional<std::string>{text.str()};
}

std::optional<ConfigError> apply_dotenv_entry(const SettingsTable& table, Settings& settings, const DotenvEntry& entry,
                                              const std::string& location) {
  if (const SettingSpec* spec = table.find(entry.key)) {
    return assign(settings, *spec, entry.key, entry.value, " (from " + location + ")");
  }
  if (entry.key == env_file_variable) {
    return ConfigError{entry.key, "cannot be set inside " + location + "; set it in the environment"};
  }
  if (entry.key.starts_with(project_prefix)) {
    return ConfigError{entry.key, "unknown setting in " + location + suggestion_for(table, entry.key, false)};
  }
  return std::nullopt;  // another program's variable in a shared .env file
}

std::optional<ConfigError> apply_env_file(const SettingsTable& table, Settings& settings, const Sources& sources) {
  EnvFileChoice choice = choose_env_file(sources);
  if (choice.path.empty()) {
    return std::nullopt;
  }
  auto read = read_env_file(choice);
  if (auto* error = std::get_if<ConfigError>(&read)) {
    return std::move(*error);
  }
  const auto& text = std::get<std::optional<std::string>>(read);
  if (!text) {
    return std::nullopt;
  }
  auto parsed = parse_dotenv(*text);
  if (auto* error = std::get_if<DotenvError>(&parsed)) {
    return ConfigError{choice.path + ":" + std::to_string(error->line), std::move(error->message)};
  }
  for (const DotenvEntry& entry : std::get<std::vector<DotenvEntry>>(parsed)) {
    if (auto error = apply_dotenv_entry(table, settings, entry, choice.path + ":" + std::to_string(entry.line))) {
      return error;
    }
  }
  return std::nullopt;
}

std::optional<ConfigError> apply_environment(const SettingsTable& table, Settings& settings, const Sources& sources) {
  for (const auto& [name, value] : sources.environment) {
    if (const SettingSpec* spec = table.find(name)) {
      if (auto error = assign(settings, *spec, name, value, "")) {
        return error;
      }
    } else if (name.starts_with(project_prefix) && name != env_file_variable) {
      return ConfigError{name, "unknown setting in the environment" + suggestion_for(table, name, false)};
    }
  }
  return std::nullopt;
}

// Flags take a value, either attached (--port=8001) or as the next argument (--port 8001).
// A next argument starting with "--" is taken as a forgotten value, not as the value.
std::optional<ConfigError> apply_flags(const SettingsTable& table, Settings& settings,
                                       const std::vector<std::string>& flags) {
  for (std::size_t index = 0; index < flags.size(); ++index) {
    const std::string& argument = flags[index];
    if (!argument.starts_with("--")) {
      return ConfigError{argument, "unexpected argument; flags look like --port 8001 or --port=8001"};
    }
    std::size_t equals = argument.find('=');
    std::string flag = argument.substr(0, equals);
    const SettingSpec* spec = table.find(flag);
    if (spec == nullptr) {
      return ConfigError{flag, "unknown flag" + suggestion_for(table, flag, true)};
    }
    std::string value;
    if (equals != std::string::npos) {
      value = argument.substr(equals + 1);
    } else if (index + 1 < flags.size() && !flags[index + 1].starts_with("--")) {
      value = flags[++index];
    } else {
      return ConfigError{flag, "missing value (use " + flag + " VALUE or " + flag + "=VALUE)"};
    }
    if (auto error = assign(settings, *spec, flag, value, "")) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ConfigError::to_string() const {
  return variable + ": " + message;
}

std::variant<Settings, ConfigError> load_settings(const SettingsTable& table, const Sources& sources) {
  Settings settings;
  // Every source is validated, even values a later source overrides: a bad line in .env is
  // a bug worth reporting whether or not it currently takes effect.
  for (auto apply : {apply_env_file, apply_environment}) {
    if (auto error = apply(table, settings, sources)) {
      return std::move(*error);
    }
  }
  if (auto error = apply_flags(table, settings, sources.flags)) {
    return std::move(*error);
  }
  std::string variable;
  if (std::optional<std::string> problem = library_combination_problem(settings, variable)) {
    return ConfigError{std::move(variable), std::move(*problem)};
  }
  return settings;
}

Sources sources_from_process(int argument_count, char** arguments) {
  Sources sources;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) {
      sources.environment.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }
  sources.flags.assign(arguments, arguments + std::max(argument_count, 0));
  return sources;
}

}  // namespace tachyon::config
