#include "app/acme/caching.hpp"

#include <boost/asio/this_coro.hpp>

#include "tachyon/cache/cdn_purge.hpp"
#include "tachyon/security/digest.hpp"

namespace tachyon::app::acme {

namespace {

void append_value(std::string& out, const SqlValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) {
    out += 'i' + std::to_string(*number);
  } else {
    const std::string& text = std::get<std::string>(value);
    out += 's' + std::to_string(text.size()) + ':' + text;
  }
}

}  // namespace

std::string user_key(std::int64_t id, UserProjection projection) {
  return std::string(users_cache) + ":" + std::to_string(id) +
         (projection == UserProjection::with_salary ? ":full" : ":basic");
}
std::string product_key(std::int64_t id) {
  return std::string(products_cache) + ":" + std::to_string(id);
}

std::string product_list_key(const std::vector<Filter>& filters, const ListRequest& list) {
  // Length-prefixed parts, so no two different queries can produce the same text.
  std::string canonical;
  for (const Filter& filter : filters) canonical += std::to_string(filter.canonical.size()) + ':' + filter.canonical;
  canonical += "|limit=" + std::to_string(list.limit) + "|sort=";
  for (const SortKey& key : list.sort) canonical += (key.descending ? "-" : "+") + std::to_string(key.column) + ",";
  canonical += "|fields=";
  for (bool selected : list.selected) canonical += selected ? '1' : '0';
  canonical += "|after=";
  if (list.after) {
    for (const SqlValue& value : *list.after) append_value(canonical, value);
  }
  if (list.page) canonical += "|page=" + std::to_string(*list.page) + "|per_page=" + std::to_string(list.per_page);
  return std::string(product_lists_cache) + ":" + security::sha256_hex(canonical);
}

namespace {

// The names of the changed public answers, as their Surrogate-Key headers carried them.
std::vector<std::string> public_names(const CacheChanges& changes) {
  std::vector<std::string> names;
  for (std::int64_t id : changes.products) names.push_back(product_key(id));
  if (changes.product_lists) names.emplace_back(product_lists_tag);
  return names;
}

}  // namespace

boost::asio::awaitable<void> invalidate(const AcmeCaches& caches, CacheChanges changes) {
  if (caches.cdn != nullptr) {
    auto loop = co_await boost::asio::this_coro::executor;  // named: GCC 12 and temporaries beside co_await
    caches.cdn->purge(loop, public_names(changes));
  }
  if (caches.cache == nullptr) co_return;
  std::vector<std::string> keys;
  if (changes.user && caches.users != nullptr) {
    keys.push_back(user_key(*changes.user, UserProjection::with_salary));
    keys.push_back(user_key(*changes.user, UserProjection::without_salary));
  }
  if (caches.products != nullptr) {
    for (std::int64_t id : changes.products) keys.push_back(product_key(id));
  }
  std::vector<std::string> tags;
  if (changes.product_lists && caches.product_lists != nullptr) tags.emplace_back(product_lists_tag);
  if (keys.empty() && tags.empty()) co_return;
  co_await caches.cache->invalidate(std::move(keys), std::move(tags));
}

}  // namespace tachyon::app::acme
