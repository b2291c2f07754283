// Acme, the reference service on Tachyon (../docs and ACME_API.md): opens its database, migrates it,
// fills an empty one with demo data when asked, trains the predictions model, and registers the users,
// products, orders and predictions routes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "app/acme/iris_model.hpp"
#include "app/acme/posts.hpp"
#include "app/acme/services.hpp"
#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/db/database.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::app::acme {

struct AcmeOptions {
  std::string database_url = "sqlite:acme.db";
  std::chrono::milliseconds slow_query{100};
  std::string secret_key;  // empty: a random key (cursors then do not survive a restart)
  bool demo_data = true;
  // The cache the cached routes share, and their policies by namespace (caching.hpp names them); a
  // route without a policy, or every route when `cache` is null, is not cached.
  std::shared_ptr<cache::TieredCache> cache;
  std::vector<cache::CachePolicy> cache_policies;
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
  const IrisModel& iris_model() const { return *iris_model_; }
  // True when this thread's read connection answers (for /readyz).
  bool database_ready();

 private:
  AcmeCaches make_caches(const AcmeOptions& options);

  std::unique_ptr<db::Database> database_;
  std::shared_ptr<cache::TieredCache> cache_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<PostsUpstream> posts_;
  std::unique_ptr<IrisModel> iris_model_;
};

}  // namespace tachyon::app::acme
