#include "support/acme_backend.hpp"

namespace tachyon::testing {

AcmeDatabase::AcmeDatabase(AcmeBackend backend) {
  if (backend == AcmeBackend::postgresql) postgres_ = std::make_unique<PostgresServer>();
}

std::map<std::string, std::string> AcmeDatabase::environment() const {
  if (postgres_ == nullptr) return {};
  return {{"DATABASE_URL", postgres_->url()}};
}

std::string backend_name(const ::testing::TestParamInfo<AcmeBackend>& info) {
  return info.param == AcmeBackend::postgresql ? "PostgreSQL" : "SQLite";
}

}  // namespace tachyon::testing
