#include "app/acme/acme.hpp"

#include <chrono>

#include "app/acme/identity_routes.hpp"
#include "app/acme/identity_store.hpp"
#include "app/acme/migrations.hpp"
#include "app/acme/resources.hpp"
#include "app/acme/seed.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/core/url.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

namespace {
constexpr SeedCounts demo_counts{.users = 200, .products = 500, .orders = 1000};
constexpr std::uint64_t demo_random_seed = 20261123;
constexpr std::string_view demo_admin_email = "admin@acme.test";

// The contract's demo admin, with TACHYON_ADMIN_PASSWORD or a random password printed once.
void add_demo_admin(db::Connection& writer, const auth::PasswordHasher& passwords, std::string password) {
  bool generated = password.empty();
  if (generated) password = security::random_hex(12);
  std::string hash = passwords.hash_blocking(password);
  std::string now = core::rfc3339_now();
  writer
      .prepare(
          "INSERT INTO users (email, name, role, department, salary_cents, status, created_at, updated_at, "
          "password_hash) VALUES (?, 'Acme Admin', 'admin', 'operations', 0, 'active', ?, ?, ?)")
      .bind(1, demo_admin_email)
      .bind(2, std::string_view(now))
      .bind(3, std::string_view(now))
      .bind(4, std::string_view(hash))
      .run();
  if (generated) {
    // Printed once, on purpose: the operator needs it to log in; set TACHYON_ADMIN_PASSWORD to choose it.
    observe::log_warn("demo admin created with a random password (shown only now)",
                      {{"email", demo_admin_email}, {"password", std::string_view(password)}});
  } else {
    observe::log_info("demo admin created", {{"email", demo_admin_email}});
  }
}
}  // namespace

std::string sqlite_path(std::string_view database_url) {
  if (database_url.starts_with("sqlite://")) return std::string(database_url.substr(9));
  if (database_url.starts_with("sqlite:")) return std::string(database_url.substr(7));
  return std::string(database_url);
}

Acme::Acme(const AcmeOptions& options) {
  if (core::is_postgres_url(options.database_url)) {
    db::PostgresOptions postgres = options.postgres_pool;
    postgres.url = options.database_url;
    postgres.slow_query_threshold = options.slow_query;
    database_ = std::make_unique<db::Database>(std::move(postgres));
  } else {
    db::ConnectionOptions connection_options;
    connection_options.path = sqlite_path(options.database_url);
    connection_options.slow_query_threshold = options.slow_query;
    database_ = std::make_unique<db::Database>(connection_options);
  }
  passwords_ = std::make_unique<auth::PasswordHasher>(options.password_parameters, options.password_threads,
                                                      options.password_queue);
  std::string key;
  database_->write_blocking([&](db::Connection& connection) {
    db::MigrationReport report = db::apply_migrations(connection, migrations(connection.dialect()));
    for (const std::string& applied : report.applied) observe::log_info("migration applied", {{"migration", applied}});
    if (options.demo_data && database_is_empty(connection)) {
      seed_demo_data(connection, demo_counts, demo_random_seed);
      add_demo_admin(connection, *passwords_, options.admin_password);
      observe::log_info(
          "demo data added",
          {{"users", demo_counts.users}, {"products", demo_counts.products}, {"orders", demo_counts.orders}});
    }
    key = identity_store::server_secret(connection, options.secret_key);
  });
  if (options.secret_key.empty()) {
    observe::log_warn(
        "TACHYON_SECRET_KEY is not set: using the key generated for this database (every instance "
        "on it shares it); set one in production and keep it out of the database's backups");
  }
  events_ = std::make_shared<auth::SecurityEvents>();
  IdentityOptions identity_options = options.identity;
  identity_options.server_secret = key;
  identity_ = std::make_shared<Identity>(*database_, *passwords_, events_, std::move(identity_options));
  services_ = std::make_unique<Services>(Services{*database_, security::Signer(key), make_caches(options), *passwords_,
                                                  *identity_, options.require_preconditions});
  posts_ = std::make_unique<PostsUpstream>(options.posts);
  const auto training_start = std::chrono::steady_clock::now();
  iris_model_ = std::make_unique<IrisModel>(IrisModel::train_embedded());
  const std::chrono::duration<double, std::milli> training_time = std::chrono::steady_clock::now() - training_start;
  observe::log_info("model trained", {{"model_version", iris_model_->version()},
                                      {"trees", iris_model_->forest().tree_count()},
                                      {"nodes", iris_model_->forest().node_count()},
                                      {"training_ms", training_time.count()}});
}

AcmeCaches Acme::make_caches(const AcmeOptions& options) {
  AcmeCaches caches;
  cdn_purger_ = options.cdn_purger;
  caches.cdn = cdn_purger_.get();
  cache_ = options.cache;
  if (!cache_) return caches;
  caches.cache = cache_.get();
  for (const cache::CachePolicy& policy : options.cache_policies) {
    cache::CacheNamespace& space = cache_->add_namespace(policy);
    if (policy.name == users_cache)
      caches.users = &space;
    else if (policy.name == products_cache)
      caches.products = &space;
    else if (policy.name == product_lists_cache)
      caches.product_lists = &space;
    else if (policy.name == predictions_cache)
      caches.predictions = &space;
    else if (policy.name == posts_cache)
      caches.posts = &space;
    else
      throw std::invalid_argument("no Acme route is cached as '" + policy.name + "'");
  }
  return caches;
}

void Acme::add_routes(http::Router& router) {
  add_identity_routes(router, *identity_, *database_);
  add_user_routes(router, *services_);
  add_product_routes(router, *services_);
  add_order_routes(router, *services_);
  add_prediction_routes(router, *iris_model_, services_->caches);
  add_post_routes(router, *posts_, services_->caches);
}

boost::asio::awaitable<bool> Acme::database_ready() {
  auto ping = [](db::Connection& reader) {
    db::Statement statement = reader.prepare("SELECT 1");
    return statement.step() && statement.integer(0) == 1;
  };
  co_return co_await database_->read(std::move(ping));  // a throw is a failing check
}

}  // namespace tachyon::app::acme
