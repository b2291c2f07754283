// Prometheus metrics of the database layer: statement time by operation, slow statements, and how many
// writes each group commit carried. Registered on first use, every series created up front so
// dashboards and alerts see them before the first query.
#pragma once

#include <string_view>

#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {

enum class Operation { select, insert, update, remove, other };

// The statement's leading keyword ("  select ..." -> select; WITH, PRAGMA, BEGIN ... -> other).
Operation operation_of(std::string_view sql);

struct DatabaseMetrics {
  observe::Histogram statement_seconds[5];  // indexed by Operation
  observe::Counter slow_statements;
  observe::Histogram group_commit_writes;
};

const DatabaseMetrics& database_metrics();

}  // namespace tachyon::db
