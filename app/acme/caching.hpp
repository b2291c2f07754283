// Which Acme answers are cached, under which keys and tags, and what each write invalidates:
// users:<id>:<projection> (one entry per view: with or without the salary), products:<id>, product_lists:<hash of the
// query> (tag products:list), predict:<hash of the model version and the input> and posts:<id>. A write invalidates
// exactly the single resources it changed and, for products, every list page, so the next read of any of them, on any
// instance, sees the write.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/acme/listing.hpp"
#include "tachyon/cache/tiered_cache.hpp"

namespace tachyon::cache {
class CdnPurger;
}

namespace tachyon::app::acme {

// The cache and one namespace per cached route; a null namespace means that route is not cached.
struct AcmeCaches {
  cache::TieredCache* cache = nullptr;
  cache::CdnPurger* cdn = nullptr;  // purged on every invalidation, cached here or not
  cache::CacheNamespace* users = nullptr;
  cache::CacheNamespace* products = nullptr;
  cache::CacheNamespace* product_lists = nullptr;
  cache::CacheNamespace* predictions = nullptr;
  cache::CacheNamespace* posts = nullptr;
};

// Namespace names, which are also the key prefixes and the `cache` label of the metrics.
inline constexpr std::string_view users_cache = "users";
inline constexpr std::string_view products_cache = "products";
inline constexpr std::string_view product_lists_cache = "product_lists";
inline constexpr std::string_view predictions_cache = "predict";
inline constexpr std::string_view posts_cache = "posts";

inline constexpr std::string_view product_lists_tag = "products:list";

enum class UserProjection : std::uint8_t { with_salary, without_salary };
std::string user_key(std::int64_t id, UserProjection projection);
std::string product_key(std::int64_t id);
// product_lists:<hex SHA-256 of the canonical filters and list parameters>: the same page asked
// with its parameters in another order or spelling shares one entry.
std::string product_list_key(const std::vector<Filter>& filters, const ListRequest& list);

// The cached entries a write changed.
struct CacheChanges {
  std::optional<std::int64_t> user;    // every projection of this user
  std::vector<std::int64_t> products;  // these products...
  bool product_lists = false;          // ...and every product list page

  static CacheChanges nothing() { return {}; }
  static CacheChanges of_user(std::int64_t id) { return {.user = id}; }
  // Stock, price or name changed, or a product came (no ids) or went: every list page too.
  static CacheChanges of_products(std::vector<std::int64_t> ids) {
    return {.products = std::move(ids), .product_lists = true};
  }
};

// Drops the changed entries on every instance (waits for their acknowledgements, see TieredCache) and
// queues a CDN purge of the public ones (products and product lists: the routes with Surrogate-Key).
boost::asio::awaitable<void> invalidate(const AcmeCaches& caches, CacheChanges changes);

}  // namespace tachyon::app::acme
