// RFC 3339 UTC timestamps with millisecond precision ("2026-11-23T20:15:03.042Z"): the API's time
// format. Fixed width, so they sort as text in the database exactly as they sort in time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::core {

std::string format_rfc3339(std::chrono::system_clock::time_point time);
inline std::string rfc3339_now() {
  return format_rfc3339(std::chrono::system_clock::now());
}

// The Unix seconds of a timestamp in that format (the fraction dropped); nullopt for any other text.
std::optional<std::int64_t> parse_rfc3339_seconds(std::string_view text);

}  // namespace tachyon::core
