// Structured logging: one JSON object per line on stdout (or key=value text), through spdlog. Fields are
// typed key/values; callers pass only what is safe to log (never secrets, passwords or tokens).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <variant>

namespace tachyon::observe {

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { json, text };

struct LogField {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  LogField(std::string_view field_key, std::string_view text) : key(field_key), value(text) {}
  LogField(std::string_view field_key, const char* text) : key(field_key), value(std::string_view(text)) {}
  LogField(std::string_view field_key, std::int64_t number) : key(field_key), value(number) {}
  LogField(std::string_view field_key, int number) : key(field_key), value(std::int64_t{number}) {}
  LogField(std::string_view field_key, std::uint64_t number)
      : key(field_key), value(static_cast<std::int64_t>(number)) {}
  LogField(std::string_view field_key, double number) : key(field_key), value(number) {}
  LogField(std::string_view field_key, bool flag) : key(field_key), value(flag) {}

  std::string_view key;
  Value value;
};

// Parses "trace|debug|info|warn|error|off".
bool parse_log_level(std::string_view text, LogLevel& level);
void configure_logging(LogLevel level, LogFormat format);
bool log_enabled(LogLevel level);

// Writes and flushes the line at once.
void log_event(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);
// Writes the line into the stdout buffer, flushed within a second (for high-rate lines such as access logs).
void log_buffered(LogLevel level, std::string_view message, std::initializer_list<LogField> fields);
inline void log_info(std::string_view message, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::info, message, fields);
}
inline void log_warn(std::string_view message, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::warn, message, fields);
}
inline void log_error(std::string_view message, std::initializer_list<LogField> fields = {}) {
  log_event(LogLevel::error, message, fields);
}

}  // namespace tachyon::observe
