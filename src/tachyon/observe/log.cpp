#include "tachyon/observe/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

#include "tachyon/json/writer.hpp"
#include "tachyon/observe/log_destination.hpp"

namespace tachyon::observe {

namespace {

struct LoggerState {
  std::shared_ptr<spdlog::logger> logger;
  LogFormat format = LogFormat::json;
};

LoggerState& state() {
  static LoggerState instance = [] {
    LoggerState created;
    created.logger = std::make_shared<spdlog::logger>("tachyon", std::make_shared<spdlog::sinks::stdout_sink_mt>());
    return created;
  }();
  return instance;
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return spdlog::level::trace;
    case LogLevel::debug:
      return spdlog::level::debug;
    case LogLevel::info:
      return spdlog::level::info;
    case LogLevel::warn:
      return spdlog::level::warn;
    case LogLevel::error:
      return spdlog::level::err;
    case LogLevel::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

void append_json_fields(std::string& line, std::string_view message, std::initializer_list<LogField> fields) {
  line += "\"msg\":";
  json::append_json_string(line, message);
  for (const LogField& field : fields) {
    line += ',';
    json::append_json_string(line, field.key);
    line += ':';
    std::visit(
        [&line](const auto& value) {
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, std::string_view>) {
            json::append_json_string(line, value);
          } else if constexpr (std::is_same_v<Value, bool>) {
            line += value ? "true" : "false";
          } else {
            json::JsonWriter writer(line);
            writer.value(value);
          }
        },
        field.value);
  }
}

void append_text_fields(std::string& line, std::string_view message, std::initializer_list<LogField> fields) {
  line += message;
  for (const LogField& field : fields) {
    line += ' ';
    line += field.key;
    line += '=';
    std::visit(
        [&line](const auto& value) {
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, std::string_view>) {
            line += value;
          } else if constexpr (std::is_same_v<Value, bool>) {
            line += value ? "true" : "false";
          } else {
            line += std::to_string(value);
          }
        },
        field.value);
  }
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& level) {
  static constexpr std::pair<std::string_view, LogLevel> names[] = {
      {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
      {"warn", LogLevel::warn},   {"error", LogLevel::error}, {"off", LogLevel::off}};
  for (const auto& [name, value] : names) {
    if (name == text) {
      level = value;
      return true;
    }
  }
  return false;
}

void log_to_standard_error() {
  std::vector<spdlog::sink_ptr>& sinks = state().logger->sinks();
  sinks.clear();
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
}

void configure_logging(LogLevel level, LogFormat format) {
  LoggerState& current = state();
  current.format = format;
  current.logger->set_level(to_spdlog(level));
  std::string pattern =
      format == LogFormat::json ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})" : "%Y-%m-%dT%H:%M:%S.%fZ %l %v";
  current.logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
  // Access lines are buffered and flushed once a second; every other event is flushed as written.
  static bool flusher_started = [&current] {
    spdlog::register_logger(current.logger);
    spdlog::flush_every(std::chrono::seconds(1));
    return true;
  }();
  (void)flusher_started;
}

bool log_enabled(LogLevel level) {
  return state().logger->should_log(to_spdlog(level));
}

void log_event(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  log_buffered(level, message, fields);
  state().logger->flush();
}

void log_buffered(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  LoggerState& current = state();
  auto spdlog_level = to_spdlog(level);
  if (!current.logger->should_log(spdlog_level)) return;
  thread_local std::string line;
  line.clear();
  if (current.format == LogFormat::json) {
    append_json_fields(line, message, fields);
  } else {
    append_text_fields(line, message, fields);
  }
  current.logger->log(spdlog_level, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace tachyon::observe
