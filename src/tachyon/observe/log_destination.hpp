// Where log lines go. The server logs to stdout (twelve-factor); a command whose results are its stdout
// (an API key, a table) sends its log lines to stderr instead, so that `key=$(tachyon apikey create ...)`
// captures only the key.
#pragma once

namespace tachyon::observe {

// Log lines go to stderr from now on. Call before any thread logs.
void log_to_standard_error();

}  // namespace tachyon::observe
