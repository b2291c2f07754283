#include "tachyon/core/timestamp.hpp"

#include <cstdio>
#include <ctime>

namespace tachyon::core {

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
  auto milliseconds = std::chrono::floor<std::chrono::milliseconds>(time).time_since_epoch().count();
  std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
  long fraction = static_cast<long>(milliseconds % 1000);
  if (fraction < 0) {
    fraction += 1000;
    --seconds;
  }
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];  // roomy enough for any int the compiler imagines in each field
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", parts.tm_year + 1900, parts.tm_mon + 1,
                parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, fraction);
  return text;
}

std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view text) {
  // "2026-11-23T20:15:03.042Z"
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != '.' || text[23] != 'Z') {
    return std::nullopt;
  }
  auto number = [&text](std::size_t offset, std::size_t count, int& value) {
    value = 0;
    for (std::size_t index = offset; index < offset + count; ++index) {
      if (text[index] < '0' || text[index] > '9') return false;
      value = value * 10 + (text[index] - '0');
    }
    return true;
  };
  std::tm parts{};
  int year = 0, month = 0, fraction = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, parts.tm_mday) || !number(11, 2, parts.tm_hour) ||
      !number(14, 2, parts.tm_min) || !number(17, 2, parts.tm_sec) || !number(20, 3, fraction)) {
    return std::nullopt;
  }
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  return static_cast<std::int64_t>(timegm(&parts));
}

}  // namespace tachyon::core
