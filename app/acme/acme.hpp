// Acme, the reference service on Tachyon (../docs and ACME_API.md): opens its database, migrates it,
// fills an empty one with demo data when asked (with the demo admin), starts its identity service
// (tokens, API keys, revocations), trains the predictions model, and registers the identity, users,
// products, orders, predictions and posts routes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/acme/identity.hpp"
#include "app/acme/iris_model.hpp"
#include "app/acme/posts.hpp"
#include "app/acme/services.hpp"
#include "tachyon/auth/password_hasher.hpp"
#include "tachyon/auth/security_events.hpp"
#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/db/database.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::cache {
class CdnPurger;
}

namespace tachyon::app::acme {

struct AcmeOptions {
  std::string database_url = "sqlite:acme.db";
  db::PostgresOptions postgres_pool;  // for a postgresql:// URL (its url is database_url)
  std::chrono::milliseconds slow_query{100};
  std::string secret_key;  // empty: a key generated once and kept in the database
  bool demo_data = true;
  bool require_preconditions = false;  // PATCH/DELETE of users and products need If-Match (else 428)
  std::string admin_password;          // the demo admin's; empty: a random one, printed once in the log
  auth::PasswordParameters password_parameters;
  std::size_t password_threads = 1;
  std::size_t password_queue = 64;  // logins waiting for the hashing pool beyond its threads; more get 503
  IdentityOptions identity;         // its server_secret is filled from secret_key
  // The cache the cached routes share, and their policies by namespace (caching.hpp names them); a
  // route without a policy, or every route when `cache` is null, is not cached.
  std::shared_ptr<cache::TieredCache> cache;
  std::vector<cache::CachePolicy> cache_policies;
  std::shared_ptr<cache::CdnPurger> cdn_purger;  // null: no CDN in front to purge
  PostsOptions posts;
};

// "sqlite:acme.db" -> "acme.db"; "sqlite::memory:" -> ":memory:".
std::string sqlite_path(std::string_view database_url);

class Acme {
 public:
  // Opens and migrates the database (throws db::DatabaseError when it cannot) and trains the Iris model
  // on the embedded data set (milliseconds).
  explicit Acme(const AcmeOptions& options);

  void add_routes(http::Router& router);
  db::Database& database() { return *database_; }
  // What the access middleware verifies credentials with, and where security events go.
  std::shared_ptr<auth::Authenticator> authenticator() { return identity_; }
  std::shared_ptr<const auth::SecurityEvents> security_events() { return events_; }
  const IrisModel& iris_model() const { return *iris_model_; }
  // True when a read connection answers (for /readyz).
  boost::asio::awaitable<bool> database_ready();

 private:
  AcmeCaches make_caches(const AcmeOptions& options);

  std::unique_ptr<db::Database> database_;
  std::shared_ptr<cache::TieredCache> cache_;
  std::shared_ptr<cache::CdnPurger> cdn_purger_;
  std::unique_ptr<auth::PasswordHasher> passwords_;
  std::shared_ptr<auth::SecurityEvents> events_;
  std::shared_ptr<Identity> identity_;  // destroyed before the hasher and the database it uses
  std::unique_ptr<Services> services_;
  std::unique_ptr<PostsUpstream> posts_;
  std::unique_ptr<IrisModel> iris_model_;
};

}  // namespace tachyon::app::acme
