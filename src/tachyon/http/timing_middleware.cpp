#include <fmt/format.h>

#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::http {

boost::asio::awaitable<void> TimingMiddleware::handle(Context& context, Next next) {
  co_await next(context);
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - context.started;
  char text[32];
  auto result = fmt::format_to_n(text, sizeof text, "{:.3f}ms", elapsed.count());
  context.response.add_header("X-Response-Time", std::string_view(text, result.size));
}

}  // namespace tachyon::http
