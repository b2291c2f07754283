// Realistic demo data for Acme, fast: `tachyon seed --users N --products N --orders N` and the small
// set a fresh quick start gets. Rows go in through prepared statements in batched transactions.
#pragma once

#include <cstdint>

#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::app::acme {

struct SeedCounts {
  std::int64_t users = 0;
  std::int64_t products = 0;
  std::int64_t orders = 0;
};

// Adds the requested rows (orders refer to existing users and products; they need at least one of
// each). Deterministic for a given `random_seed`. Returns what was added.
SeedCounts seed_demo_data(db::Connection& connection, const SeedCounts& wanted, std::uint64_t random_seed);

bool database_is_empty(db::Connection& connection);

}  // namespace tachyon::app::acme
