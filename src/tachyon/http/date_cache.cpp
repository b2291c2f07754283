#include "tachyon/http/date_cache.hpp"

#include <ctime>

namespace tachyon::http {

namespace {
struct DateCache {
  std::time_t second = -1;
  char text[32] = {};
  std::size_t length = 0;
};
thread_local DateCache date_cache;
}  // namespace

std::string_view current_http_date() {
  timespec now{};
  // The coarse clock is a vDSO read of the last tick: enough for a one-second resolution header.
  clock_gettime(CLOCK_REALTIME_COARSE, &now);
  if (now.tv_sec != date_cache.second) {
    std::tm parts{};
    gmtime_r(&now.tv_sec, &parts);
    date_cache.length = std::strftime(date_cache.text, sizeof date_cache.text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    date_cache.second = now.tv_sec;
  }
  return {date_cache.text, date_cache.length};
}

}  // namespace tachyon::http
