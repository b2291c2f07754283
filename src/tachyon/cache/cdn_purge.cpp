#include "tachyon/cache/cdn_purge.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <stdexcept>

#include "tachyon/core/url.hpp"
#include "tachyon/json/writer.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::cache {

namespace asio = boost::asio;

// What one loop has queued, and its client; touched only on that loop's thread.
struct CdnPurger::LoopQueue {
  LoopQueue(asio::io_context& io, const upstream::ClientOptions& options) : client(io.get_executor(), options) {}
  upstream::HttpClient client;
  std::vector<std::string> pending;
  bool draining = false;
};

namespace {

std::string purge_body(const std::vector<std::string>& names) {
  std::string body;
  json::JsonWriter writer(body);
  writer.begin_object();
  writer.key("tags");
  writer.begin_array();
  for (const std::string& name : names) writer.value(std::string_view(name));
  writer.end_array();
  writer.end_object();
  return body;
}

// Retry-After in seconds (RFC 9110 §10.2.3), capped at a minute; an HTTP-date or nothing: none.
std::chrono::milliseconds retry_after(const upstream::Response& response) {
  std::string_view text = response.header("retry-after");
  unsigned seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::chrono::milliseconds(0);
  return std::chrono::seconds(std::min(seconds, 60u));
}

bool worth_retrying(int status) {
  return status == 429 || status >= 500;
}

}  // namespace

CdnPurger::CdnPurger(CdnPurgeOptions options, observe::Registry& registry)
    : options_(std::move(options)),
      base_(upstream::parse_url(options_.url)),
      shown_url_(core::redact_url(options_.url)),
      queues_([this](asio::io_context& io) {
        return std::make_unique<LoopQueue>(
            io, upstream::ClientOptions{.connect_timeout = options_.connect_timeout, .read_timeout = options_.timeout});
      }) {
  if (options_.names_per_request == 0) throw std::invalid_argument("a CDN purge needs at least one name per request");
  if (options_.attempts < 1) throw std::invalid_argument("a CDN purge needs at least one attempt");
  // The client joins base path and request path; the purge URL is one resource, so split off its last
  // segment ("/client/v4/zones/z/purge_cache" → "/client/v4/zones/z" + "/purge_cache").
  std::size_t last_slash = base_.base_path.rfind('/');
  if (last_slash == std::string::npos) {
    resource_ = "/";
  } else {
    resource_ = base_.base_path.substr(last_slash);
    base_.base_path.resize(last_slash);
  }
  auto& requests = registry.counter_family(
      "tachyon_cdn_purge_requests_total",
      "Purge calls to the CDN by outcome: purged (2xx), failed (final), retried (an attempt that will be repeated).",
      {"outcome"});
  purged_ = requests.labels({"purged"});
  failed_ = requests.labels({"failed"});
  retried_ = requests.labels({"retried"});
}

CdnPurger::~CdnPurger() = default;

void CdnPurger::purge(const asio::any_io_executor& executor, std::vector<std::string> names) {
  if (names.empty()) return;
  auto& loop = static_cast<asio::io_context&>(asio::query(executor, asio::execution::context));
  LoopQueue& queue = queues_.here(loop);
  for (std::string& name : names) queue.pending.push_back(std::move(name));
  if (queue.draining) return;
  queue.draining = true;
  asio::co_spawn(loop, drain(queue), asio::detached);
}

asio::awaitable<void> CdnPurger::drain(LoopQueue& queue) {
  asio::steady_timer window(co_await asio::this_coro::executor, options_.coalesce_window);
  co_await window.async_wait(asio::as_tuple(asio::use_awaitable));
  while (!queue.pending.empty()) {
    std::vector<std::string> names = std::move(queue.pending);
    queue.pending.clear();
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (std::size_t first = 0; first < names.size(); first += options_.names_per_request) {
      std::size_t last = std::min(names.size(), first + options_.names_per_request);
      std::vector<std::string> batch(std::make_move_iterator(names.begin() + static_cast<std::ptrdiff_t>(first)),
                                     std::make_move_iterator(names.begin() + static_cast<std::ptrdiff_t>(last)));
      try {
        co_await send(queue, std::move(batch));
      } catch (const std::exception& error) {  // e.g. a request the client refuses to build
        failed_.add();
        observe::log_error("CDN purge not sent",
                           {{"url", std::string_view(shown_url_)}, {"error", std::string_view(error.what())}});
      }
    }
  }
  queue.draining = false;
}

asio::awaitable<void> CdnPurger::send(LoopQueue& queue, std::vector<std::string> names) {
  std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
  if (!options_.token.empty()) headers.emplace_back("Authorization", "Bearer " + options_.token);
  const std::string body = purge_body(names);
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 1;; ++attempt) {
    std::string problem;
    std::chrono::milliseconds wait = backoff;
    try {
      // Named and moved in: GCC 12 destroys temporaries in a co_await's arguments twice.
      std::string path = resource_;
      upstream::Body json{"application/json", body};
      std::vector<std::pair<std::string, std::string>> call_headers = headers;
      upstream::Response response = co_await queue.client.post(
          base_, std::move(path), std::move(json), std::move(call_headers), upstream::Idempotency::idempotent);
      if (response.status >= 200 && response.status < 300) {
        purged_.add();
        co_return;
      }
      if (!worth_retrying(response.status)) {
        failed_.add();
        observe::log_warn("CDN purge refused", {{"url", std::string_view(shown_url_)},
                                                {"status", response.status},
                                                {"names", static_cast<std::int64_t>(names.size())}});
        co_return;
      }
      problem = "answered " + std::to_string(response.status);
      wait = std::max(wait, retry_after(response));
    } catch (const upstream::UpstreamError& error) {
      problem = std::string(upstream::to_string(error.kind())) + ": " + error.what();
    }
    if (attempt >= options_.attempts) {
      failed_.add();
      observe::log_warn("CDN purge failed", {{"url", std::string_view(shown_url_)},
                                             {"error", std::string_view(problem)},
                                             {"attempts", static_cast<std::int64_t>(attempt)},
                                             {"names", static_cast<std::int64_t>(names.size())}});
      co_return;
    }
    retried_.add();
    asio::steady_timer pause(co_await asio::this_coro::executor, wait);
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    backoff *= 2;
  }
}

}  // namespace tachyon::cache
