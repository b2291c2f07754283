// `tachyon migrate` and `tachyon seed`: bring the Acme database to the latest schema, and fill it with
// realistic demo data (`--users N --products N --orders N`), in batched transactions.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "app/acme/acme.hpp"
#include "app/acme/migrations.hpp"
#include "app/acme/seed.hpp"
#include "app/acme/settings.hpp"
#include "cli/commands.hpp"
#include "tachyon/core/url.hpp"
#include "tachyon/db/migrations.hpp"
#include "tachyon/db/postgres_connection.hpp"
#include "tachyon/db/postgres_options.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::cli {

std::unique_ptr<db::Connection> open_connection(const config::Settings& settings) {
  const app::acme::AcmeSettings& acme = app::acme::acme_settings(settings);
  if (core::is_postgres_url(acme.database_url)) {
    return std::make_unique<db::PostgresConnection>(
        db::PostgresConnectionOptions{.url = acme.database_url,
                                      .statement_timeout = acme.database_statement_timeout,
                                      .slow_query_threshold = settings.slow_query});
  }
  db::ConnectionOptions options;
  options.path = app::acme::sqlite_path(acme.database_url);
  options.slow_query_threshold = settings.slow_query;
  return std::make_unique<db::SqliteConnection>(options);
}

int migrate_command(int argument_count, char** arguments) {
  auto settings = load_or_report(argument_count, arguments);
  if (!settings) return 2;
  try {
    std::unique_ptr<db::Connection> connection = open_connection(*settings);
    db::MigrationReport report = db::apply_migrations(*connection, app::acme::migrations(connection->dialect()));
    for (const std::string& applied : report.applied) std::printf("applied %s\n", applied.c_str());
    std::printf("schema version %d\n", report.current_version);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tachyon: migrate failed: %s\n", error.what());
    return 1;
  }
}

int seed_command(int argument_count, char** arguments) {
  app::acme::SeedCounts wanted;
  std::uint64_t random_seed = 1;
  std::vector<char*> rest;
  for (int index = 0; index < argument_count; ++index) {
    std::string_view flag = arguments[index];
    std::int64_t* target = flag == "--users"      ? &wanted.users
                           : flag == "--products" ? &wanted.products
                           : flag == "--orders"   ? &wanted.orders
                                                  : nullptr;
    if (target == nullptr && flag != "--random-seed") {
      rest.push_back(arguments[index]);
      continue;
    }
    std::string_view text = index + 1 < argument_count ? std::string_view(arguments[index + 1]) : std::string_view();
    std::int64_t value = -1;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0 || value > 100'000'000) {
      std::fprintf(stderr, "tachyon: %s needs a whole number from 0 to 100000000\n", arguments[index]);
      return 2;
    }
    if (target != nullptr) {
      *target = value;
    } else {
      random_seed = static_cast<std::uint64_t>(value);
    }
    ++index;
  }
  auto settings = load_or_report(static_cast<int>(rest.size()), rest.data());
  if (!settings) return 2;
  try {
    std::unique_ptr<db::Connection> connection = open_connection(*settings);
    db::apply_migrations(*connection, app::acme::migrations(connection->dialect()));
    auto started = std::chrono::steady_clock::now();
    app::acme::seed_demo_data(*connection, wanted, random_seed);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("added %lld users, %lld products, %lld orders in %.2f s\n", static_cast<long long>(wanted.users),
                static_cast<long long>(wanted.products), static_cast<long long>(wanted.orders), seconds);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tachyon: seed failed: %s\n", error.what());
    return 1;
  }
}

}  // namespace tachyon::cli
