#include "tachyon/observe/profiling_route.hpp"

#include <gperftools/profiler.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tachyon/http/errors.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::observe {

namespace {

constexpr int default_seconds = 30;
constexpr int max_seconds = 60;

std::atomic<bool> profiling{false};

// Clears the busy flag and stops the profiler however the handler leaves (including cancellation).
struct ProfileSession {
  std::string path;
  bool started = false;
  ~ProfileSession() {
    if (started) ProfilerStop();
    if (!path.empty()) std::remove(path.c_str());
    profiling.store(false, std::memory_order_release);
  }
};

int requested_seconds(const http::Context& context) {
  auto text = context.request.query_param("seconds");
  if (!text) return default_seconds;
  int seconds = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), seconds);
  if (error != std::errc() || end != text->data() + text->size()) {
    throw http::HttpError(400, "seconds must be an integer");
  }
  return std::clamp(seconds, 1, max_seconds);
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

boost::asio::awaitable<void> profile(http::Context& context) {
  int seconds = requested_seconds(context);
  if (profiling.exchange(true, std::memory_order_acq_rel)) {
    throw http::HttpError(409, "a profile is already being taken; try again when it ends");
  }
  ProfileSession session;
  session.path = "/tmp/tachyon-profile-" + std::to_string(::getpid()) + ".prof";
  if (ProfilerStart(session.path.c_str()) == 0) throw std::runtime_error("ProfilerStart failed");
  session.started = true;
  log_info("profiling started", {{"seconds", seconds}});
  // The handler waits on a timer, so this worker's event loop keeps serving while the profile runs.
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(std::chrono::seconds(seconds));
  co_await timer.async_wait(boost::asio::use_awaitable);
  ProfilerStop();
  session.started = false;
  context.response.status = 200;
  context.response.body = read_file(session.path);
  context.response.set_content_type("application/octet-stream");
  context.response.add_header("Content-Disposition", "attachment; filename=\"tachyon.prof\"");
}

}  // namespace

void add_profiling_route(http::Router& router) {
  router.get("/debug/pprof/profile", profile)
      .name("pprof_profile")
      .cors(http::CorsMode::off)
      .requires_scopes({"admin"})
      .summary("gperftools CPU profile over ?seconds=N (1..60); admin scope; 409 while busy");
}

}  // namespace tachyon::observe
