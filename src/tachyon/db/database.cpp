#include "tachyon/db/database.hpp"

#include "tachyon/db/postgres_engine.hpp"
#include "tachyon/db/sqlite_engine.hpp"

namespace tachyon::db {

Database::Database(ConnectionOptions sqlite)
    : dialect_(Dialect::sqlite), engine_(std::make_unique<SqliteEngine>(sqlite)) {}

Database::Database(PostgresOptions postgres)
    : dialect_(Dialect::postgresql), engine_(std::make_unique<PostgresEngine>(std::move(postgres))) {}

Database::~Database() = default;

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

}  // namespace tachyon::db
