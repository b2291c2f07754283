#include "app/acme/posts.hpp"

#include <boost/asio/this_coro.hpp>

#include "tachyon/cache/http_cache.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

[[noreturn]] void throw_upstream_failure(const upstream::UpstreamError& error, std::int64_t id) {
  observe::log_warn(
      "posts upstream failed",
      {{"post", id}, {"failure", upstream::to_string(error.kind())}, {"error", std::string_view(error.what())}});
  bool too_slow = error.kind() == upstream::FailureKind::read_timeout;
  if (too_slow) throw http::HttpError(504, "the posts upstream did not answer in time");
  throw http::HttpError(502, "the posts upstream is unreachable or answered badly");
}

// Loads one post from the upstream; owns what it uses (it may run again as a background refresh).
asio::awaitable<cache::Loaded> load_post(PostsUpstream& posts, std::int64_t id, std::string traceparent) {
  auto executor = co_await asio::this_coro::executor;
  auto& io = static_cast<asio::io_context&>(asio::query(executor, asio::execution::context));
  upstream::HttpClient& client = posts.client_here(io);
  std::string path = "/posts/" + std::to_string(id);
  std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"}};
  if (!traceparent.empty()) headers.emplace_back("traceparent", std::move(traceparent));
  upstream::Response response;
  try {
    response = co_await client.get(posts.base(), std::move(path), std::move(headers));
  } catch (const upstream::UpstreamError& error) {
    throw_upstream_failure(error, id);
  }
  if (response.status == 404) throw http::HttpError(404, "no post with id " + std::to_string(id));
  if (response.status != 200) {
    observe::log_warn("posts upstream answered an error", {{"post", id}, {"status", response.status}});
    throw http::HttpError(502, "the posts upstream answered " + std::to_string(response.status));
  }
  cache::Loaded loaded;
  loaded.body = std::move(response.body);
  if (!response.content_type.empty()) loaded.content_type = std::move(response.content_type);
  co_return loaded;
}

asio::awaitable<void> get_post(http::Context& context, PostsUpstream& posts, const AcmeCaches& caches) {
  std::int64_t id = context.params.integer("id");
  if (!posts.configured()) throw http::HttpError(503, "the posts upstream is not configured (POSTS_UPSTREAM_URL)");
  std::string traceparent(context.request.header("traceparent"));
  cache::Loader load = [&posts, id, traceparent]() { return load_post(posts, id, traceparent); };
  std::string key = std::string(posts_cache) + ":" + std::to_string(id);
  std::vector<std::string> no_tags;
  co_await cache::serve_cached(context, caches.cache, caches.posts, std::move(key), std::move(no_tags),
                               std::move(load));
}

}  // namespace

PostsUpstream::PostsUpstream(const PostsOptions& options)
    : client_options_{.connect_timeout = options.connect_timeout, .read_timeout = options.timeout},
      clients_([this](asio::io_context& io) {
        return std::make_unique<upstream::HttpClient>(io.get_executor(), client_options_);
      }) {
  if (!options.upstream_url.empty()) base_ = upstream::parse_url(options.upstream_url);
}

void add_post_routes(http::Router& router, PostsUpstream& posts, const AcmeCaches& caches) {
  router
      .get("/v1/posts/{id:int}", [&posts, &caches](http::Context& context) { return get_post(context, posts, caches); })
      .name("get_post")
      .public_access()
      .cache_control(cache::shared_cache_control(caches.posts))
      .tags({"posts"})
      .summary("A post from the upstream posts API, cached (X-Cache); 404, 502, 504 as the upstream fails")
      .response(200, "The upstream's post, unchanged")
      .response(404, "The upstream has no such post")
      .response(502, "The upstream is unreachable and no copy is kept")
      .response(503, "POSTS_UPSTREAM_URL is not set")
      .response(504, "The upstream did not answer within TACHYON_UPSTREAM_TIMEOUT");
}

}  // namespace tachyon::app::acme
