#include "tachyon/db/database_metrics.hpp"

#include <cctype>

namespace tachyon::db {

namespace {
bool starts_with_keyword(std::string_view sql, std::string_view keyword) {
  if (sql.size() < keyword.size()) return false;
  for (std::size_t index = 0; index < keyword.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(sql[index])) != keyword[index]) return false;
  }
  return sql.size() == keyword.size() || !std::isalnum(static_cast<unsigned char>(sql[keyword.size()]));
}
}  // namespace

Operation operation_of(std::string_view sql) {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.remove_prefix(1);
  if (starts_with_keyword(sql, "select")) return Operation::select;
  if (starts_with_keyword(sql, "insert")) return Operation::insert;
  if (starts_with_keyword(sql, "update")) return Operation::update;
  if (starts_with_keyword(sql, "delete")) return Operation::remove;
  return Operation::other;
}

const DatabaseMetrics& database_metrics() {
  static const DatabaseMetrics metrics = [] {
    observe::Registry& registry = observe::default_registry();
    // SQLite statements take microseconds: buckets from 25 us to 2.5 s.
    auto& statements = registry.histogram_family(
        "tachyon_db_query_duration_seconds", "Time to run one database statement, by operation.", {"operation"},
        {0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    DatabaseMetrics built;
    const char* names[] = {"select", "insert", "update", "delete", "other"};
    for (int index = 0; index < 5; ++index) built.statement_seconds[index] = statements.labels({names[index]});
    built.slow_statements =
        registry
            .counter_family("tachyon_db_slow_queries_total",
                            "Statements at or over TACHYON_SLOW_QUERY_MS (each is logged with its SQL).")
            .labels({});
    built.group_commit_writes =
        registry
            .histogram_family("tachyon_db_group_commit_writes", "Writes committed together in one transaction.", {},
                              {1, 2, 4, 8, 16, 32, 64, 128, 256})
            .labels({});
    return built;
  }();
  return metrics;
}

}  // namespace tachyon::db
