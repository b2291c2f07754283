// RFC 3339 UTC timestamps with millisecond precision ("2026-11-23T20:15:03.042Z"): the API's time
// format. Fixed width, so they sort as text in the database exactly as they sort in time.
#pragma once

#include <chrono>
#include <string>

namespace tachyon::core {

std::string format_rfc3339(std::chrono::system_clock::time_point time);
inline std::string rfc3339_now() {
  return format_rfc3339(std::chrono::system_clock::now());
}

}  // namespace tachyon::core
