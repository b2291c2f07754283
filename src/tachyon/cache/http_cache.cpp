#include "tachyon/cache/http_cache.hpp"

#include "tachyon/http/etag.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::cache {

void respond_from_cache(http::Context& context, const CacheResult& result) {
  const CacheEntry& entry = *result.entry;
  http::Response& response = context.response;
  response.add_header("X-Cache", to_string(result.outcome));
  if (!entry.etag.empty()) response.add_header("ETag", entry.etag);
  std::string_view condition = context.request.header("If-None-Match");
  bool safe_method = context.request.method == http::Method::get || context.request.method == http::Method::head;
  if (safe_method && entry.status == 200 && !entry.etag.empty() && !condition.empty() &&
      http::if_none_match_matches(condition, entry.etag)) {
    response.status = 304;
    return;
  }
  response.status = entry.status;
  response.set_content_type(entry.content_type);
  response.body = entry.body;
}

boost::asio::awaitable<void> serve_cached(http::Context& context, TieredCache* cache, CacheNamespace* space,
                                          std::string key, std::vector<std::string> tags, Loader loader) {
  if (cache == nullptr || space == nullptr) {
    Loaded loaded = co_await loader();
    context.response.status = loaded.status;
    context.response.set_content_type(loaded.content_type);
    context.response.body = std::move(loaded.body);
    if (loaded.status == 200) http::apply_etag(context);
    co_return;
  }
  CacheResult result;
  {
    observe::Span span(context, "cache");
    result = co_await cache->fetch(*space, std::move(key), std::move(tags), std::move(loader));
  }
  respond_from_cache(context, result);
}

}  // namespace tachyon::cache
