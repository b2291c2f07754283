// Acme's numbered schema migrations, applied by `tachyon migrate` and at every start.
#pragma once

#include <span>

#include "tachyon/db/migrations.hpp"

namespace tachyon::app::acme {

// The migrations in `dialect`'s DDL; the same versions and the same schema on every backend.
std::span<const db::Migration> migrations(db::Dialect dialect);

std::span<const db::Migration> sqlite_migrations();      // migrations.cpp
std::span<const db::Migration> postgresql_migrations();  // migrations_postgresql.cpp

}  // namespace tachyon::app::acme
