#include "tachyon/http/http_date.hpp"

#include <ctime>

namespace tachyon::http {

namespace {

constexpr std::string_view day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::string_view month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digits(std::string_view text, std::size_t offset, std::size_t count, int& value) {
  value = 0;
  for (std::size_t index = offset; index < offset + count; ++index) {
    if (text[index] < '0' || text[index] > '9') return false;
    value = value * 10 + (text[index] - '0');
  }
  return true;
}

}  // namespace

std::string format_http_date(std::int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[32];
  std::size_t length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return std::string(text, length);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, 29 characters.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  bool known_day = false;
  for (std::string_view name : day_names) known_day = known_day || text.substr(0, 3) == name;
  int month = -1;
  for (int index = 0; index < 12; ++index) {
    if (text.substr(8, 3) == month_names[index]) month = index;
  }
  std::tm parts{};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!known_day || month < 0 || !digits(text, 5, 2, day) || !digits(text, 12, 4, year) || !digits(text, 17, 2, hour) ||
      !digits(text, 20, 2, minute) || !digits(text, 23, 2, second)) {
    return std::nullopt;
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || year < 1970) return std::nullopt;
  parts.tm_year = year - 1900;
  parts.tm_mon = month;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&parts));
}

}  // namespace tachyon::http
