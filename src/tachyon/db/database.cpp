#include "tachyon/db/database.hpp"

#include "tachyon/db/postgres_engine.hpp"
#include "tachyon/db/replicated_engine.hpp"
#include "tachyon/db/sqlite_engine.hpp"
#include "tachyon/http/context.hpp"

namespace tachyon::db {

namespace {
std::unique_ptr<DatabaseEngine> postgres_engine(PostgresOptions options) {
  if (options.replica_urls.empty()) return std::make_unique<PostgresEngine>(std::move(options));
  return std::make_unique<ReplicatedEngine>(std::move(options));
}
}  // namespace

Database::Database(ConnectionOptions sqlite)
    : dialect_(Dialect::sqlite), engine_(std::make_unique<SqliteEngine>(sqlite)) {}

Database::Database(PostgresOptions postgres)
    : dialect_(Dialect::postgresql), engine_(postgres_engine(std::move(postgres))) {}

Database::~Database() = default;

std::string_view Database::caller_of(const http::Context* context) const {
  if (context == nullptr || !engine_->routes_by_caller()) return {};
  if (context->principal != nullptr) return context->principal->subject;
  return context->client_address;
}

}  // namespace tachyon::db
