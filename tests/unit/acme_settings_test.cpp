// Acme's rows in the settings table: they follow the library's rules, land in Acme's own section, and
// become the AcmeOptions the service is built from.
#include "app/acme/settings.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <variant>

#include "tachyon/config/loader.hpp"

namespace tachyon::app::acme {
namespace {

using namespace std::chrono_literals;

const config::SettingsTable& table() {
  static const config::SettingsTable composed = [] {
    config::SettingsTable library = config::library_settings();
    add_settings(library);
    return library;
  }();
  return composed;
}

config::Settings load(std::map<std::string, std::string> environment) {
  config::Sources sources;
  sources.env_file_path = "";
  sources.environment = std::move(environment);
  auto loaded = config::load_settings(table(), sources);
  if (auto* error = std::get_if<config::ConfigError>(&loaded)) ADD_FAILURE() << error->to_string();
  return std::get<config::Settings>(loaded);
}

TEST(AcmeSettings, EveryRowOfTheComposedTableIsCompleteUniqueAndParsesItsDefault) {
  std::set<std::string> names;
  const config::Settings defaults;
  for (const config::SettingSpec& spec : table().specs()) {
    EXPECT_TRUE(names.insert(spec.variable).second) << spec.variable;
    EXPECT_TRUE(names.insert(spec.flag()).second) << spec.flag();
    EXPECT_FALSE(spec.description.empty()) << spec.variable;
    config::Settings settings;
    EXPECT_EQ(spec.bind(settings, spec.default_text), std::nullopt) << spec.variable;
    EXPECT_EQ(spec.render(settings), spec.render(defaults)) << spec.variable;
  }
  EXPECT_EQ(config::library_settings().find("DATABASE_URL"), nullptr) << "the library knows nothing of Acme";
  EXPECT_NE(table().find("DATABASE_URL"), nullptr);
  EXPECT_NE(table().find("--posts-upstream-url"), nullptr);
}

TEST(AcmeSettings, ValuesLandInAcmesSectionAndBecomeItsOptions) {
  config::Settings settings = load({{"DATABASE_URL", "sqlite:/tmp/other.db"},
                                    {"TACHYON_DEMO_DATA", "false"},
                                    {"TACHYON_CACHE_PRODUCTS", "ttl=7s"},
                                    {"TACHYON_CACHE_POSTS", "off"},
                                    {"POSTS_UPSTREAM_URL", "http://127.0.0.1:9/api"},
                                    {"TACHYON_UPSTREAM_TIMEOUT", "3s"},
                                    {"TACHYON_ROLE_SCOPES", "user=products:read"}});
  const AcmeSettings& acme = acme_settings(settings);
  EXPECT_EQ(acme.database_url, "sqlite:/tmp/other.db");
  EXPECT_FALSE(acme.demo_data);
  AcmeOptions options = acme_options(settings, nullptr);
  EXPECT_EQ(options.database_url, "sqlite:/tmp/other.db");
  EXPECT_FALSE(options.demo_data);
  EXPECT_EQ(options.posts.upstream_url, "http://127.0.0.1:9/api");
  EXPECT_EQ(options.posts.timeout, 3s);
  EXPECT_EQ(options.identity.role_scopes.size(), 1u);
  std::set<std::string> cached;
  for (const cache::CachePolicy& policy : options.cache_policies) {
    cached.insert(policy.name);
    if (policy.name == "products") {
      EXPECT_EQ(policy.ttl, 7s);
    }
  }
  EXPECT_EQ(cached, (std::set<std::string>{"users", "products", "product_lists", "predict"})) << "posts is off";
}

TEST(AcmeSettings, RowsRefuseWhatAcmeCannotUse) {
  auto refusal = [](std::string_view variable, std::string_view text) {
    config::Settings settings;
    return table().find(variable)->bind(settings, text).value_or("(accepted)");
  };
  EXPECT_EQ(refusal("TACHYON_ROLE_SCOPES", "user=products:read salaries:read"),
            "names scope 'salaries:read', which Acme does not know");
  EXPECT_NE(refusal("TACHYON_ROLE_SCOPES", "root=admin").find("names role 'root'"), std::string::npos);
  EXPECT_NE(refusal("POSTS_UPSTREAM_URL", "ftp://host").find("http or https"), std::string::npos);
  EXPECT_NE(refusal("POSTS_UPSTREAM_URL", "http://user:pw@host").find("user info"), std::string::npos);
  EXPECT_EQ(refusal("POSTS_UPSTREAM_URL", "http://user:pw@host").find("pw"), std::string::npos);
  EXPECT_NE(refusal("DATABASE_URL", "mysql://db").find("database URL"), std::string::npos);
  EXPECT_NE(refusal("DATABASE_REPLICA_URLS", "postgresql://a/db,sqlite:b.db").find("not a postgresql"),
            std::string::npos);
}

TEST(AcmeSettings, ReplicaUrlsReachThePoolAndTheirPasswordsAreNeverShown) {
  config::Settings settings =
      load({{"DATABASE_URL", "postgresql://app:pw@primary/db"},
            {"DATABASE_REPLICA_URLS", "postgresql://app:s3cret@r1/db, postgres://app:s3cret@r2:5433/db"},
            {"TACHYON_DB_REPLICA_MAX_LAG", "2s"}});
  AcmeOptions options = acme_options(settings, nullptr);
  EXPECT_EQ(options.postgres_pool.replica_urls,
            (std::vector<std::string>{"postgresql://app:s3cret@r1/db", "postgres://app:s3cret@r2:5433/db"}));
  EXPECT_EQ(options.postgres_pool.replica_max_lag, 2s);
  const config::SettingSpec* row = table().find("DATABASE_REPLICA_URLS");
  std::string shown = row->redact(row->render(settings));
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_NE(shown.find("r2:5433"), std::string::npos) << shown;
}

}  // namespace
}  // namespace tachyon::app::acme
