// Entry point of the `tachyon` binary: dispatches to a subcommand.
#include <cstdio>
#include <string_view>

#include "cli/commands.hpp"
#include "tachyon/core/build_revision.hpp"
#include "tachyon/observe/log_destination.hpp"

namespace tachyon::cli {

void print_usage(bool to_error_stream) {
  std::FILE* stream = to_error_stream ? stderr : stdout;
  std::fputs(
      "Usage: tachyon <command> [--setting value ...]\n"
      "\n"
      "Commands:\n"
      "  serve          run the HTTP server (defaults: http://127.0.0.1:8000)\n"
      "  config check   print the effective configuration, secrets masked\n"
      "  config table   print the settings table of docs/CONFIGURATION.md (Markdown)\n"
      "  migrate        apply the database migrations (also done at every start)\n"
      "  seed           add demo data: --users N --products N --orders N [--random-seed N]\n"
      "  bench URL      load-test an HTTP server (tachyon bench --help)\n"
      "  user create --email E --role admin|manager|user [--name N] [--department D]\n"
      "                 add a user; the password is read from standard input (or a prompt)\n"
      "  user set-password --email E   change a password (standard input); ends the user's logins\n"
      "  apikey create --name N --scopes a,b [--expires 90d]   print a new API key, once\n"
      "  apikey list | apikey revoke --name N\n"
      "  keys rotate    a new access-token signing key; the old one verifies until its tokens expire\n"
      "\n"
      "Options:\n"
      "  --help         show this help\n"
      "  --version      show the version\n"
      "\n"
      "Every setting is an environment variable (TACHYON_PORT), a .env line, or a flag (--port 8001);\n"
      "see docs/CONFIGURATION.md for the full table.\n",
      stream);
}

}  // namespace tachyon::cli

int main(int argument_count, char** arguments) {
  using namespace tachyon::cli;
  if (argument_count < 2) {
    print_usage(true);
    return 2;
  }
  std::string_view command = arguments[1];
  if (command == "--help" || command == "-h" || command == "help") {
    print_usage(false);
    return 0;
  }
  if (command == "--version") {
    std::string_view revision = tachyon::core::build_revision();
    std::printf("tachyon %s (%.*s)\n", TACHYON_VERSION, static_cast<int>(revision.size()), revision.data());
    return 0;
  }
  if (command == "serve") return serve_command(argument_count - 2, arguments + 2);
  // Every other command's results are its stdout; its log lines (a slow query, a notice) go to stderr.
  tachyon::observe::log_to_standard_error();
  if (command == "migrate") return migrate_command(argument_count - 2, arguments + 2);
  if (command == "seed") return seed_command(argument_count - 2, arguments + 2);
  if (command == "user") return user_command(argument_count - 2, arguments + 2);
  if (command == "apikey") return apikey_command(argument_count - 2, arguments + 2);
  if (command == "keys") return keys_command(argument_count - 2, arguments + 2);
  if (command == "bench") return bench_command(argument_count - 2, arguments + 2);
  if (command == "config" && argument_count >= 3 && std::string_view(arguments[2]) == "check") {
    return config_check_command(argument_count - 3, arguments + 3);
  }
  if (command == "config" && argument_count == 3 && std::string_view(arguments[2]) == "table") {
    return config_table_command();
  }
  std::fprintf(stderr, "tachyon: unknown command '%s'\n\n", arguments[1]);
  print_usage(true);
  return 2;
}
