// Parser for .env files: KEY=VALUE lines that supply settings during development.
// Syntax is documented in docs/CONFIGURATION.md; no variable expansion, no multi-line values.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tachyon::config {

struct DotenvEntry {
  std::string key;
  std::string value;
  int line = 0;  // 1-based, so errors about the value can point back into the file
};

struct DotenvError {
  int line = 0;         // 1-based
  std::string message;  // e.g. "expected KEY=VALUE"
};

// Entries in file order. A repeated key is an error rather than "last wins": in a file
// meant to be read by people, two values for one key is almost always a mistake.
std::variant<std::vector<DotenvEntry>, DotenvError> parse_dotenv(std::string_view text);

}  // namespace tachyon::config
