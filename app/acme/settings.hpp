// Acme's own settings (its database, demo data, role table, per-route caches, the posts upstream): the
// section it keeps in config::Settings::apps, the rows it adds to the settings table, and the
// AcmeOptions it builds from the loaded settings (its section plus the library's identity, password and
// upstream settings).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/acme/acme.hpp"
#include "tachyon/config/cache_route.hpp"
#include "tachyon/config/scope_grants.hpp"
#include "tachyon/config/settings.hpp"

namespace tachyon::app::acme {

struct AcmeSettings {
  std::string database_url = "sqlite:acme.db";
  // PostgreSQL's connection pool (SQLAlchemy's pool_size, pool_timeout, pool_recycle).
  std::vector<std::string> database_replica_urls;
  std::chrono::milliseconds database_replica_max_lag{10000};
  bool database_pipelining = true;
  std::uint64_t database_pool_size = 10;
  std::chrono::milliseconds database_pool_timeout{2000};
  std::chrono::milliseconds database_pool_recycle{std::chrono::minutes(30)};
  std::chrono::milliseconds database_statement_timeout{5000};
  bool demo_data = true;
  bool require_preconditions = false;  // 428 for PATCH/DELETE of users and products without If-Match
  std::string admin_password;          // the demo admin's; empty = random, printed once
  // The contract's role → scope table; a row check refuses roles and scopes Acme does not know.
  config::ScopeGrants role_scopes = {
      {"admin",
       {"admin", "audit:read", "orders:read", "orders:write", "products:read", "products:write", "users:read",
        "users:write"}},
      {"manager", {"orders:read", "orders:write", "products:read", "users:read", "users:write"}},
      {"user", {"orders:read", "orders:write", "products:read", "users:read", "users:write"}}};
  config::CacheRouteSetting cache_users{.ttl = std::chrono::minutes(5),
                                        .stale_while_revalidate = std::chrono::seconds(30)};
  config::CacheRouteSetting cache_products{.ttl = std::chrono::minutes(5),
                                           .stale_while_revalidate = std::chrono::seconds(30)};
  config::CacheRouteSetting cache_product_lists{
      .ttl = std::chrono::minutes(1), .stale_while_revalidate = std::chrono::seconds(10), .bytes = 32ull * 1024 * 1024};
  config::CacheRouteSetting cache_predictions{.ttl = std::chrono::hours(1)};
  config::CacheRouteSetting cache_posts{.ttl = std::chrono::minutes(1),
                                        .stale_while_revalidate = std::chrono::minutes(1),
                                        .stale_if_error = std::chrono::hours(24)};
  std::string posts_upstream_url;  // empty = GET /v1/posts/{id} answers 503
};

// Appends Acme's rows (DATABASE_URL, TACHYON_DEMO_DATA, ..., POSTS_UPSTREAM_URL) to `table`.
void add_settings(config::SettingsTable& table);

// Acme's section of loaded settings.
inline const AcmeSettings& acme_settings(const config::Settings& settings) {
  return settings.apps.get<AcmeSettings>();
}

// The identity service's options (issuer, audience, algorithm, lifetimes, role table); the server secret
// is left empty: it lives in the database (identity_store::server_secret).
IdentityOptions identity_options(const config::Settings& settings);

// Everything Acme is built from, out of the loaded settings; `cache` is the one the server shares.
AcmeOptions acme_options(const config::Settings& settings, std::shared_ptr<cache::TieredCache> cache,
                         std::shared_ptr<cache::CdnPurger> cdn_purger = nullptr);

}  // namespace tachyon::app::acme
