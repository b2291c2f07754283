// The CDN purge hook: when a write invalidates cache keys or tags, the same names (the ones the
// responses carried in Surrogate-Key and Cache-Tag) are purged from the CDN in front of the server, so
// a shared cache holds a replaced representation for one purge round trip rather than its s-maxage.
//
// Wire format: Cloudflare's purge by tag, `POST <url>` with `Authorization: Bearer <token>` and
// `{"tags":["products:7","products:list"]}`, at most 30 tags per call (Cloudflare's limit per request);
// any 2xx is success. A Fastly or Varnish purge endpoint is reached through a small adapter that takes
// this body.
//
// Off the request path: purge() queues the names on the calling event loop and returns; one sender per
// loop waits a short coalescing window (a burst of writes becomes one call), then posts. A call that
// gets no answer, a 429 or a 5xx is retried with exponential backoff (Retry-After honoured up to a
// minute), at most `attempts` times; other answers are final. Outcomes are counted in
// tachyon_cdn_purge_requests_total{outcome} and failures logged with the URL redacted, never the token.
// Names still queued when the server stops are not sent: the CDN's own s-maxage bounds them.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/core/per_loop.hpp"
#include "tachyon/observe/metrics.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::cache {

struct CdnPurgeOptions {
  std::string url;    // the purge endpoint, http(s)://host[:port]/path; no user info, query or fragment
  std::string token;  // sent as a bearer token; empty: no Authorization header
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds timeout{5000};        // per call, once connected
  std::chrono::milliseconds coalesce_window{50};  // names arriving within it share a call
  std::size_t names_per_request = 30;             // Cloudflare's limit per purge call
  int attempts = 3;                               // per call, the first included
  std::chrono::milliseconds first_backoff{500};   // doubles after each failed attempt
};

class CdnPurger {
 public:
  // Throws std::invalid_argument naming what is wrong with the URL.
  explicit CdnPurger(CdnPurgeOptions options, observe::Registry& registry = observe::default_registry());
  ~CdnPurger();
  CdnPurger(const CdnPurger&) = delete;
  CdnPurger& operator=(const CdnPurger&) = delete;

  // Queues `names` (keys and tags) for purging; returns at once. `loop` is the caller's own (a handler's
  // `co_await this_coro::executor`): the queue and its sender live on that loop.
  void purge(const boost::asio::any_io_executor& loop, std::vector<std::string> names);

 private:
  struct LoopQueue;
  boost::asio::awaitable<void> drain(LoopQueue& queue);
  boost::asio::awaitable<void> send(LoopQueue& queue, std::vector<std::string> names);

  CdnPurgeOptions options_;
  upstream::Url base_;    // the URL without its last path segment
  std::string resource_;  // the last path segment, with its '/'
  std::string shown_url_;
  observe::Counter purged_;
  observe::Counter failed_;
  observe::Counter retried_;
  core::PerLoop<LoopQueue> queues_;
};

}  // namespace tachyon::cache
