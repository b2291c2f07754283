// A gtest fixture for db::Database tests on a real PostgreSQL 15: each test gets a fresh server
// (support/postgres_server.hpp) and opens databases on it; skipped where PostgreSQL is not installed.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "support/postgres_server.hpp"
#include "tachyon/db/database.hpp"

namespace tachyon::testing {

class PostgresDatabaseFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
    server_ = std::make_unique<PostgresServer>();
  }

  // A Database on this test's server with `options` (their url set to it).
  std::unique_ptr<db::Database> open(db::PostgresOptions options = {}) {
    options.url = server_->url();
    return std::make_unique<db::Database>(std::move(options));
  }

  std::unique_ptr<PostgresServer> server_;
};

}  // namespace tachyon::testing
