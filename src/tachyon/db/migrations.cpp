#include "tachyon/db/migrations.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "tachyon/core/timestamp.hpp"

namespace tachyon::db {

namespace {
// Instances starting together on one PostgreSQL take turns: the first applies, the others then find
// nothing left to do. (SQLite has one writer per file already.)
class MigrationLock {
 public:
  explicit MigrationLock(Connection& connection) : connection_(connection) {
    if (connection_.dialect() == Dialect::postgresql) connection_.execute_script("SELECT pg_advisory_lock(7245031)");
  }
  ~MigrationLock() {
    if (connection_.dialect() != Dialect::postgresql) return;
    try {
      connection_.execute_script("SELECT pg_advisory_unlock(7245031)");
    } catch (const DatabaseError&) {  // the session (and its lock) is gone already
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Connection& connection_;
};
}  // namespace

MigrationReport apply_migrations(Connection& connection, std::span<const Migration> migrations) {
  MigrationLock lock(connection);
  connection.execute_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  MigrationReport report;
  {
    Statement current = connection.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    current.step();
    report.current_version = static_cast<int>(current.integer(0));
  }
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= previous) throw std::invalid_argument("migrations out of order at " + migration.name);
    previous = migration.version;
    if (migration.version <= report.current_version) continue;
    connection.transaction([&] {
      connection.execute_script(migration.sql);
      connection.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .bind(1, migration.version)
          .bind(2, std::string_view(migration.name))
          .bind(3, std::string_view(core::rfc3339_now()))
          .run();
    });
    report.current_version = migration.version;
    report.applied.push_back(fmt::format("{:04}_{}", migration.version, migration.name));
  }
  return report;
}

}  // namespace tachyon::db
