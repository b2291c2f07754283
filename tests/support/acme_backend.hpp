// Test support: Acme's suites run once per database backend. AcmeDatabase is nothing for SQLite (the
// server makes its own file) and a fresh PostgreSQL 15 (postgres_server.hpp) for PostgreSQL; its
// environment() points DATABASE_URL at it. Suites use TEST_P and INSTANTIATE_TEST_SUITE_P(..., every_backend,
// backend_name).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "support/postgres_server.hpp"

namespace tachyon::testing {

enum class AcmeBackend { sqlite, postgresql };

class AcmeDatabase {
 public:
  explicit AcmeDatabase(AcmeBackend backend);
  // DATABASE_URL for the server when it is not the SQLite default; empty for SQLite.
  std::map<std::string, std::string> environment() const;
  PostgresServer* postgres() const { return postgres_.get(); }

 private:
  std::unique_ptr<PostgresServer> postgres_;
};

inline const auto every_backend = ::testing::Values(AcmeBackend::sqlite, AcmeBackend::postgresql);
std::string backend_name(const ::testing::TestParamInfo<AcmeBackend>& info);

}  // namespace tachyon::testing
