// Numbered schema migrations: each applied once, in order, in its own transaction, and recorded in
// the `schema_migrations` table, so `tachyon migrate` and every start converge on the same schema.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "tachyon/db/connection.hpp"

namespace tachyon::db {

struct Migration {
  int version;       // 1, 2, 3 ... strictly increasing
  std::string name;  // e.g. "create_users"
  std::string sql;   // one or more statements
};

struct MigrationReport {
  int current_version = 0;
  std::vector<std::string> applied;  // "0003_create_orders"
};

// Applies every migration newer than the database's version. Throws DatabaseError (nothing of the
// failing migration stays applied) or std::invalid_argument for out-of-order versions.
MigrationReport apply_migrations(Connection& connection, std::span<const Migration> migrations);

}  // namespace tachyon::db
