// The `tachyon` binary's subcommands. Each returns the process exit code: 0 success, 1 runtime
// failure, 2 usage or configuration error.
#pragma once

namespace tachyon::cli {

int serve_command(int argument_count, char** arguments);
int bench_command(int argument_count, char** arguments);
int config_check_command(int argument_count, char** arguments);
int migrate_command(int argument_count, char** arguments);
int seed_command(int argument_count, char** arguments);
void print_usage(bool to_error_stream);

}  // namespace tachyon::cli
