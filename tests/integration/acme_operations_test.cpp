// Acme's operational surface: `tachyon migrate` and `tachyon seed` on a real file, the demo data a new
// database gets at start, /readyz checking the database, and the slow-query log (SQL with its
// placeholders, never the bound values).
#include <gtest/gtest.h>

#include <string>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

std::int64_t total_of(const AcmeServer& server, const std::string& collection) {
  Json page(server.call("GET", collection + "?page=1&per_page=1").body);
  return page["total"].get_int64().value();
}

TEST(AcmeOperations, MigrateThenSeedFillsTheRequestedCounts) {
  TemporaryDirectory directory;
  std::string url = "sqlite:" + (directory.path() / "seeded.db").string();
  CommandResult migrated = run_tachyon({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.standard_error;
  EXPECT_NE(migrated.standard_output.find("create_orders"), std::string::npos) << migrated.standard_output;
  CommandResult again = run_tachyon({"migrate"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(again.exit_code, 0) << again.standard_error;
  EXPECT_EQ(again.standard_output.find("create_orders"), std::string::npos) << "migrations run once";

  CommandResult seeded =
      run_tachyon({"seed", "--users", "40", "--products", "60", "--orders", "150"}, {{"DATABASE_URL", url}});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.standard_error;

  CommandResult key = run_tachyon({"apikey", "create", "--name", "counter", "--scopes", "admin,users:read,orders:read"},
                                  {{"DATABASE_URL", url}});
  ASSERT_EQ(key.exit_code, 0) << key.standard_error;
  std::string credentials = "X-API-Key: " + key.standard_output.substr(0, key.standard_output.find('\n')) + "\r\n";
  ServerProcess server({}, {{"DATABASE_URL", url}});
  auto count = [&](const std::string& collection) {
    auto response = request(server.port(), get_request(collection + "?page=1&per_page=1", credentials));
    return Json(response->body)["total"].get_int64().value();
  };
  EXPECT_EQ(count("/v1/users"), 40);
  EXPECT_EQ(count("/v1/products"), 60);
  EXPECT_EQ(count("/v1/orders"), 150);
}

TEST(AcmeOperations, SeedRejectsBadCountsWithExitCode2) {
  CommandResult result = run_tachyon({"seed", "--users", "lots"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("--users"), std::string::npos) << result.standard_error;
}

TEST(AcmeOperations, NewDatabaseGetsDemoDataOnlyWhenEmpty) {
  AcmeServer server({}, {}, /*demo_data=*/true);
  EXPECT_GT(total_of(server, "/v1/users"), 0);
  EXPECT_GT(total_of(server, "/v1/products"), 0);
  EXPECT_GT(total_of(server, "/v1/orders"), 0);
  AcmeServer empty;
  EXPECT_EQ(total_of(empty, "/v1/users"), 0);
}

TEST(AcmeOperations, ReadyzChecksTheDatabase) {
  AcmeServer server;
  HttpResponse ready = server.call("GET", "/readyz?verbose");
  EXPECT_EQ(ready.status, 200);
  Json body(ready.body);
  bool database_checked = false;
  simdjson::dom::array array_1 = body["checks"].get_array().value();
  for (simdjson::dom::element check : array_1) {
    if (std::string_view(check["name"].get_string().value()) == "database") {
      database_checked = std::string_view(check["status"].get_string().value()) == "ok";
    }
  }
  EXPECT_TRUE(database_checked) << ready.body;
}

TEST(AcmeOperations, SlowQueryLogShowsSqlWithPlaceholdersAndNeverTheValues) {
  AcmeServer server({"--slow-query-ms", "0"});
  std::string email = "secret." + unique_suffix() + "@example.com";
  server.create("/v1/users", R"({"email":")" + email +
                                 R"(","name":"Private Person","role":"user",)"
                                 R"("department":"d","salary_cents":98765})");
  server.call("GET", "/v1/users?role=admin");
  std::string log = server.process().wait_for_output("role = ?");
  EXPECT_NE(log.find("\"slow query\""), std::string::npos) << log;
  EXPECT_NE(log.find("INSERT INTO users"), std::string::npos);
  EXPECT_NE(log.find("role = ?"), std::string::npos);
  EXPECT_NE(log.find("duration_ms"), std::string::npos);
  EXPECT_EQ(log.find(email), std::string::npos) << "a bound value reached the log";
  EXPECT_EQ(log.find("Private Person"), std::string::npos);
  EXPECT_EQ(log.find("98765"), std::string::npos);
}

// A command's stdout is its result alone: log lines (here every statement is "slow") go to stderr, so
// `key=$(tachyon apikey create ...)` captures the key and nothing else.
TEST(AcmeOperations, ACommandsLogLinesGoToStderrAndItsStdoutIsTheResultAlone) {
  TemporaryDirectory directory;
  std::string url = "sqlite:" + (directory.path() / "acme.db").string();
  CommandResult key = run_tachyon({"apikey", "create", "--name", "quiet", "--scopes", "products:read"},
                                  {{"DATABASE_URL", url}, {"TACHYON_SLOW_QUERY_MS", "0"}});
  ASSERT_EQ(key.exit_code, 0) << key.standard_error;
  EXPECT_NE(key.standard_error.find("slow query"), std::string::npos) << "the log lines were written";
  ASSERT_FALSE(key.standard_output.empty());
  EXPECT_EQ(key.standard_output.find('\n'), key.standard_output.size() - 1) << "one line: " << key.standard_output;
  EXPECT_EQ(key.standard_output.find('{'), std::string::npos) << key.standard_output;
}

TEST(AcmeOperations, AnUnknownDatabaseUrlIsRefusedWithExitCode2) {
  CommandResult result = run_tachyon({"config", "check"}, {{"DATABASE_URL", "mysql://u:p@localhost/acme"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("DATABASE_URL"), std::string::npos) << result.standard_error;
  EXPECT_EQ(result.standard_error.find("u:p@"), std::string::npos) << "credentials must not be echoed";
}

TEST(AcmeOperations, APostgresUrlIsAcceptedAndShownWithoutItsPassword) {
  CommandResult result = run_tachyon({"config", "check"}, {{"DATABASE_URL", "postgresql://u:p@localhost/acme"}});
  EXPECT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_EQ((result.standard_output + result.standard_error).find("u:p@"), std::string::npos)
      << "credentials must not be echoed";
}

// The value of the first sample line of `/metrics` that starts with `series` (-1 when absent).
double sample(const std::string& metrics, const std::string& series) {
  std::size_t at = metrics.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics.substr(at + series.size() + 2));
}

TEST(AcmeOperations, MetricsCountStatementsByOperationAndGroupCommits) {
  AcmeServer server;
  server.create("/v1/users", R"({"email":"m)" + unique_suffix() +
                                 R"(@example.com","name":"M","role":"user","department":"d","salary_cents":1})");
  ASSERT_EQ(server.call("GET", "/v1/users?limit=5").status, 200);
  std::string metrics = server.call("GET", "/metrics").body;
  EXPECT_GE(sample(metrics, R"(tachyon_db_query_duration_seconds_count{operation="select"})"), 1) << metrics;
  EXPECT_GE(sample(metrics, R"(tachyon_db_query_duration_seconds_count{operation="insert"})"), 1);
  EXPECT_EQ(sample(metrics, R"(tachyon_db_query_duration_seconds_count{operation="delete"})"), 0);
  EXPECT_GE(sample(metrics, "tachyon_db_group_commit_writes_count"), 1);
  EXPECT_GE(sample(metrics, "tachyon_db_slow_queries_total"), 0);
}

}  // namespace
}  // namespace tachyon::testing
