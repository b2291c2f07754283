#include "app/acme/settings.hpp"

#include <stdexcept>
#include <vector>

#include "app/acme/access_policy.hpp"
#include "app/acme/caching.hpp"
#include "tachyon/config/setting_rows.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::app::acme {
namespace {

std::optional<std::string> unknown_role_or_scope(const config::ScopeGrants& grants) {
  try {
    check_role_grants(grants);
    return std::nullopt;
  } catch (const std::invalid_argument& error) {
    return std::string(error.what());
  }
}

std::optional<std::string> unknown_service_scope(const config::Settings& settings) {
  try {
    check_service_grants(settings.tls_client_scopes);
    return std::nullopt;
  } catch (const std::invalid_argument& error) {
    return std::string(error.what());
  }
}

void add_cache_policy(std::vector<cache::CachePolicy>& policies, std::string_view name,
                      const config::CacheRouteSetting& setting) {
  if (!setting.enabled) return;
  policies.push_back(cache::CachePolicy{.name = std::string(name),
                                        .ttl = setting.ttl,
                                        .stale_while_revalidate = setting.stale_while_revalidate,
                                        .stale_if_error = setting.stale_if_error,
                                        .capacity_bytes = setting.bytes,
                                        .eviction = cache::parse_policy_kind(setting.policy)});
}

std::vector<cache::CachePolicy> cache_policies(const AcmeSettings& settings) {
  std::vector<cache::CachePolicy> policies;
  add_cache_policy(policies, users_cache, settings.cache_users);
  add_cache_policy(policies, products_cache, settings.cache_products);
  add_cache_policy(policies, product_lists_cache, settings.cache_product_lists);
  add_cache_policy(policies, predictions_cache, settings.cache_predictions);
  add_cache_policy(policies, posts_cache, settings.cache_posts);
  return policies;
}

auth::JwsAlgorithm token_algorithm(config::TokenAlgorithm algorithm) {
  switch (algorithm) {
    case config::TokenAlgorithm::eddsa:
      return auth::JwsAlgorithm::eddsa;
    case config::TokenAlgorithm::es256:
      return auth::JwsAlgorithm::es256;
    case config::TokenAlgorithm::hs256:
      return auth::JwsAlgorithm::hs256;
  }
  return auth::JwsAlgorithm::eddsa;
}

}  // namespace

void add_settings(config::SettingsTable& table) {
  using config::boolean_row;
  using config::cache_route_row;
  table.add({
      config::database_url_row({"DATABASE_URL", "sqlite:acme.db",
                                "The Acme database: sqlite:PATH (relative to the working directory), "
                                "sqlite::memory:, or postgresql://USER:PASSWORD@HOST:PORT/DB?sslmode=verify-full "
                                "(any libpq URL)."},
                               &AcmeSettings::database_url),
      config::postgres_url_list_row(
          {"DATABASE_REPLICA_URLS", "",
           "PostgreSQL read replicas (hot standbys of DATABASE_URL), comma-separated: reads go to one that has "
           "replayed the caller's own writes, else to the primary; writes always go to the primary."},
          &AcmeSettings::database_replica_urls),
      config::duration_row({"TACHYON_DB_REPLICA_MAX_LAG", "10s",
                            "PostgreSQL: a replica further behind the primary than this takes no reads."},
                           &AcmeSettings::database_replica_max_lag, std::chrono::milliseconds(1)),
      boolean_row({"TACHYON_DB_PIPELINING", "true",
                   "PostgreSQL: concurrent reads of one event loop share its connection's round trips (libpq "
                   "pipeline mode); false: one statement at a time in flight there."},
                  &AcmeSettings::database_pipelining),
      config::integer_row(
          {"TACHYON_DB_POOL_SIZE", "10",
           "PostgreSQL: connections in the pool for writes and transactions (each worked by a thread of its "
           "own); reads use one connection per event loop."},
          &AcmeSettings::database_pool_size, 1, 1000),
      config::duration_row({"TACHYON_DB_POOL_TIMEOUT", "2s",
                            "PostgreSQL: how long work waits for a free connection before it fails with 503."},
                           &AcmeSettings::database_pool_timeout, std::chrono::milliseconds(1)),
      config::duration_row(
          {"TACHYON_DB_POOL_RECYCLE", "30m", "PostgreSQL: a connection older than this is closed and opened again."},
          &AcmeSettings::database_pool_recycle, std::chrono::seconds(1)),
      config::duration_row({"TACHYON_DB_STATEMENT_TIMEOUT", "5s",
                            "PostgreSQL: the server cancels a statement running longer (504 to the client)."},
                           &AcmeSettings::database_statement_timeout, std::chrono::milliseconds(1)),
      boolean_row({"TACHYON_DEMO_DATA", "true", "Fill an empty database with a small demo data set at start."},
                  &AcmeSettings::demo_data),
      config::secret_row({"TACHYON_ADMIN_PASSWORD", "",
                          "Password of the demo admin `admin@acme.test`, created with the demo data. Empty: a "
                          "random password, printed once in the log."},
                         &AcmeSettings::admin_password, 8, "(random, printed once)"),
      config::scope_grants_row({"TACHYON_ROLE_SCOPES", config::format_scope_grants(AcmeSettings{}.role_scopes),
                                "The scopes each role grants (the contract's table by default). Roles are Acme's "
                                "user, manager and admin; a role left out grants nothing. Object rules (own "
                                "records, a manager's department) apply whatever the scopes."},
                               "role", &AcmeSettings::role_scopes, unknown_role_or_scope),
      boolean_row({"TACHYON_REQUIRE_PRECONDITION", "false",
                   "`PATCH` and `DELETE` of users and products need `If-Match` (the ETag read) or "
                   "`If-Unmodified-Since`; without one they get 428 Precondition Required."},
                  &AcmeSettings::require_preconditions),
      cache_route_row("TACHYON_CACHE_USERS", "Cache of `GET /v1/users/{id}`.", &AcmeSettings::cache_users),
      cache_route_row("TACHYON_CACHE_PRODUCTS", "Cache of `GET /v1/products/{id}`.", &AcmeSettings::cache_products),
      cache_route_row("TACHYON_CACHE_PRODUCT_LISTS", "Cache of `GET /v1/products` pages.",
                      &AcmeSettings::cache_product_lists),
      cache_route_row("TACHYON_CACHE_PREDICTIONS", "Cache of `POST /v1/predict` by its input.",
                      &AcmeSettings::cache_predictions),
      cache_route_row("TACHYON_CACHE_POSTS",
                      "Cache of `GET /v1/posts/{id}`; `error=` is how long a copy stands in while the upstream "
                      "fails.",
                      &AcmeSettings::cache_posts),
      config::optional_url_row(
          {"POSTS_UPSTREAM_URL", "",
           "Base URL of the posts API behind `GET /v1/posts/{id}` (`{url}/posts/{id}`); empty = that route "
           "answers 503."},
          &AcmeSettings::posts_upstream_url, "http(s):// URL or empty",
          [](std::string_view text) { return config::url_problem(text, upstream::parse_url); }),
  });
  // Client certificates are granted Acme's scopes only.
  table.narrow("TACHYON_TLS_CLIENT_SCOPES", unknown_service_scope);
}

IdentityOptions identity_options(const config::Settings& settings) {
  IdentityOptions options;
  options.issuer = settings.token_issuer;
  options.audience = settings.token_audience;
  options.role_scopes = acme_settings(settings).role_scopes;
  options.algorithm = token_algorithm(settings.token_algorithm);
  options.access_token_ttl = std::chrono::duration_cast<std::chrono::seconds>(settings.access_token_ttl);
  options.refresh_token_ttl = std::chrono::duration_cast<std::chrono::seconds>(settings.refresh_token_ttl);
  return options;
}

AcmeOptions acme_options(const config::Settings& settings, std::shared_ptr<cache::TieredCache> cache,
                         std::shared_ptr<cache::CdnPurger> cdn_purger) {
  const AcmeSettings& acme = acme_settings(settings);
  return AcmeOptions{
      .database_url = acme.database_url,
      .postgres_pool = {.max_connections = static_cast<int>(acme.database_pool_size),
                        .acquire_timeout = acme.database_pool_timeout,
                        .max_lifetime = std::chrono::duration_cast<std::chrono::seconds>(acme.database_pool_recycle),
                        .statement_timeout = acme.database_statement_timeout,
                        .replica_urls = acme.database_replica_urls,
                        .replica_max_lag = acme.database_replica_max_lag,
                        .pipelining = acme.database_pipelining},
      .slow_query = settings.slow_query,
      .secret_key = settings.secret_key,
      .demo_data = acme.demo_data,
      .require_preconditions = acme.require_preconditions,
      .admin_password = acme.admin_password,
      .password_parameters = {.memory_bytes = settings.password_memory_bytes,
                              .iterations = settings.password_iterations},
      .password_threads = settings.password_threads,
      .identity = identity_options(settings),
      .cache = std::move(cache),
      .cache_policies = cache_policies(acme),
      .cdn_purger = std::move(cdn_purger),
      .posts = {.upstream_url = acme.posts_upstream_url,
                .connect_timeout = settings.upstream_connect_timeout,
                .timeout = settings.upstream_timeout}};
}

}  // namespace tachyon::app::acme
