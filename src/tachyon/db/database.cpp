#include "tachyon/db/database.hpp"

#include "tachyon/db/sqlite_engine.hpp"

namespace tachyon::db {

Database::Database(ConnectionOptions sqlite)
    : dialect_(Dialect::sqlite), engine_(std::make_unique<SqliteEngine>(sqlite)) {}

Database::~Database() = default;

}  // namespace tachyon::db
