// The `tachyon` binary's subcommands. Each returns the process exit code: 0 success, 1 runtime
// failure, 2 usage or configuration error.
#pragma once

#include <memory>
#include <optional>

#include "tachyon/config/settings.hpp"
#include "tachyon/db/connection.hpp"

namespace tachyon::cli {

// The library's settings rows and every app's (settings_table.cpp).
const config::SettingsTable& settings_table();
// The settings from defaults, .env, environment and `arguments`; prints the error and returns nullopt
// on a bad value (the caller exits 2).
std::optional<config::Settings> load_or_report(int argument_count, char** arguments);
// A connection to the Acme database the settings name (SQLite or PostgreSQL); throws DatabaseError.
std::unique_ptr<db::Connection> open_connection(const config::Settings& settings);

int serve_command(int argument_count, char** arguments);
int bench_command(int argument_count, char** arguments);
int config_check_command(int argument_count, char** arguments);
int config_table_command();
int migrate_command(int argument_count, char** arguments);
int seed_command(int argument_count, char** arguments);
// `tachyon user create|set-password`, `tachyon apikey create|list|revoke`, `tachyon keys rotate`.
int user_command(int argument_count, char** arguments);
int apikey_command(int argument_count, char** arguments);
int keys_command(int argument_count, char** arguments);
void print_usage(bool to_error_stream);

}  // namespace tachyon::cli
