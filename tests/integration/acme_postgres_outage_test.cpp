// Acme on PostgreSQL while the database goes away and comes back, seen over HTTP: /readyz names
// postgres and reads answer 503 with Retry-After at once (no hang) while it is down; both recover by
// themselves once it is back, with no restart of the server.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

TEST(AcmePostgresOutage, ReadinessNamesPostgresAndEverythingRecoversWhenItIsBack) {
  AcmeDatabase database(AcmeBackend::postgresql);
  AcmeServer server({}, database.environment());
  // A user's orders: a read no cache answers, so every request reaches the database.
  std::int64_t user = server.create(
      "/v1/users", R"({"email":"outage@example.com","name":"O","role":"user","department":"d","salary_cents":1})");
  const std::string path = "/v1/users/" + std::to_string(user) + "/orders";
  ASSERT_EQ(server.call("GET", path).status, 200);
  ASSERT_EQ(server.call_anonymous("GET", "/readyz").status, 200);

  database.postgres()->stop();
  const auto started = std::chrono::steady_clock::now();
  HttpResponse ready = server.call_anonymous("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("postgres"), std::string::npos) << ready.body;
  HttpResponse read = server.call("GET", path);
  EXPECT_EQ(read.status, 503) << read.body;
  EXPECT_TRUE(read.has_header("retry-after"));
  EXPECT_EQ(read.body.find("PostgreSQL"), std::string::npos) << "no backend message for clients: " << read.body;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s) << "answers come at once while the database is down";

  database.postgres()->start();
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    status = server.call_anonymous("GET", "/readyz").status;
    if (status != 200) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(status, 200) << "ready again within 5 s of the database's return";
  for (int attempt = 0; attempt < 8; ++attempt) {
    EXPECT_EQ(server.call("GET", path).status, 200);
  }
}

}  // namespace
}  // namespace tachyon::testing
