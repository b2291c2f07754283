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

}  // namespace tachyon::core
