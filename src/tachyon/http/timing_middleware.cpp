#include <charconv>

#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

namespace {

// "0.412ms" from whole microseconds, with integer arithmetic (a float format costs ~200 instructions).
std::string_view format_milliseconds(std::chrono::microseconds elapsed, char (&text)[32]) {
  auto micros = static_cast<unsigned long long>(elapsed.count() < 0 ? 0 : elapsed.count());
  char* end = std::to_chars(text, text + 20, micros / 1000).ptr;
  unsigned fraction = static_cast<unsigned>(micros % 1000);
  end[0] = '.';
  end[1] = static_cast<char>('0' + fraction / 100);
  end[2] = static_cast<char>('0' + fraction / 10 % 10);
  end[3] = static_cast<char>('0' + fraction % 10);
  end[4] = 'm';
  end[5] = 's';
  return {text, static_cast<std::size_t>(end + 6 - text)};
}

}  // namespace

boost::asio::awaitable<void> TimingMiddleware::handle(Context& context, Next next) {
  co_await next(context);
  auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - context.started);
  char text[32];
  context.response.add_header("X-Response-Time", format_milliseconds(elapsed, text));
}

}  // namespace tachyon::http
