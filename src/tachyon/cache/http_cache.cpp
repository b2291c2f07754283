#include "tachyon/cache/http_cache.hpp"

#include "tachyon/http/date_cache.hpp"
#include "tachyon/http/etag.hpp"
#include "tachyon/http/router.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::cache {

namespace {

// Surrogate-Key (Fastly, space-separated) and Cache-Tag (Cloudflare, comma-separated): the entry's key
// and tags, the names an invalidation purges by. Only on public routes: a CDN never holds the others.
void add_surrogate_keys(http::Context& context, std::string_view key, const std::vector<std::string>& tags) {
  if (context.route == nullptr || !context.route->metadata.access.is_public()) return;
  std::string spaced(key);
  std::string commas(key);
  for (const std::string& tag : tags) {
    spaced.append(" ").append(tag);
    commas.append(",").append(tag);
  }
  context.response.add_header("Surrogate-Key", spaced);
  context.response.add_header("Cache-Tag", commas);
}

}  // namespace

std::string shared_cache_control(const CacheNamespace* space) {
  if (space == nullptr) return "public, no-cache";
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  const CachePolicy& policy = space->policy();
  std::string value = "public, max-age=0, s-maxage=" + std::to_string(duration_cast<seconds>(policy.ttl).count());
  if (policy.stale_while_revalidate.count() > 0) {
    value +=
        ", stale-while-revalidate=" + std::to_string(duration_cast<seconds>(policy.stale_while_revalidate).count());
  }
  if (policy.stale_if_error.count() > 0) {
    value += ", stale-if-error=" + std::to_string(duration_cast<seconds>(policy.stale_if_error).count());
  }
  return value;
}

void respond_from_cache(http::Context& context, const CacheResult& result) {
  const CacheEntry& entry = *result.entry;
  http::Response& response = context.response;
  response.add_header("X-Cache", to_string(result.outcome));
  response.status = entry.status;
  response.set_content_type(entry.content_type);
  if (!entry.last_modified.empty()) response.add_header("Last-Modified", entry.last_modified);
  compress::ContentCoding coding = http::content_coding_for(context, entry.content_type, entry.body.size());
  if (coding != compress::ContentCoding::identity && entry.status == 200) {
    const EncodedVariants::Variant& variant =
        entry.variants.get(coding, entry.body, entry.etag, context.compression->levels);
    if (!variant.body.empty()) {
      response.add_header("Content-Encoding", compress::coding_token(coding));
      response.add_header("ETag", variant.etag);
      response.body = variant.body;
      return;
    }
  }
  if (!entry.etag.empty()) response.add_header("ETag", entry.etag);
  response.body = entry.body;
}

boost::asio::awaitable<void> serve_cached(http::Context& context, TieredCache* cache, CacheNamespace* space,
                                          std::string key, std::vector<std::string> tags, Loader loader) {
  add_surrogate_keys(context, key, tags);
  if (cache == nullptr || space == nullptr) {
    Loaded loaded = co_await loader();
    context.response.status = loaded.status;
    context.response.set_content_type(loaded.content_type);
    context.response.body = std::move(loaded.body);
    if (loaded.status == 200) {
      http::add_strong_etag(context.response);
      context.response.add_header("Last-Modified", http::current_http_date());
    }
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
