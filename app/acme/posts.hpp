// Acme's posts, an external API behind a cache: GET /v1/posts/{id} answers the upstream's
// {POSTS_UPSTREAM_URL}/posts/{id} unchanged; upstream 404 -> 404, unreachable -> 502, slower than its
// timeout -> 504, and a kept copy answers with X-Cache: STALE while the upstream fails.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "app/acme/caching.hpp"
#include "tachyon/core/per_loop.hpp"
#include "tachyon/http/router.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::app::acme {

struct PostsOptions {
  std::string upstream_url;  // empty: the route answers 503
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds timeout{2000};
};

// The upstream's address and one HTTP client (with its keep-alive pool) per event loop.
class PostsUpstream {
 public:
  // Throws std::invalid_argument for a URL the client cannot use.
  explicit PostsUpstream(const PostsOptions& options);
  bool configured() const { return base_.has_value(); }
  const upstream::Url& base() const { return *base_; }
  upstream::HttpClient& client_here(boost::asio::io_context& io) { return clients_.here(io); }

 private:
  std::optional<upstream::Url> base_;
  upstream::ClientOptions client_options_;
  core::PerLoop<upstream::HttpClient> clients_;
};

void add_post_routes(http::Router& router, PostsUpstream& posts, const AcmeCaches& caches);

}  // namespace tachyon::app::acme
