// PostgreSQL with read replicas (DATABASE_REPLICA_URLS): writes, transactions and start-up work go to
// the primary's pool; reads go to a pool per replica, chosen by the read router (read_router.hpp) so a
// caller sees its own writes, and fall back to the primary when the replica cannot be reached (the read
// runs again there: reads change nothing). Start-up work (migrations) counts as this instance's write.
// While the primary is down, writes fail (503) and reads
// continue on the replicas. Counted in tachyon_db_read_routes_total{route}: replica, primary_behind (a
// caller's write not replayed anywhere yet), primary_no_replica, primary_fallback.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "tachyon/db/database_engine.hpp"
#include "tachyon/db/postgres_engine.hpp"
#include "tachyon/db/postgres_options.hpp"
#include "tachyon/db/read_router.hpp"
#include "tachyon/db/replica_monitor.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {

class ReplicatedEngine final : public DatabaseEngine {
 public:
  explicit ReplicatedEngine(PostgresOptions options);
  ~ReplicatedEngine() override;

  Connection* inline_reader() override { return nullptr; }
  bool routes_by_caller() const override { return true; }
  void submit_read(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_primary_read(std::unique_ptr<DatabaseJob> job) override;
  void submit_write(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_direct(std::unique_ptr<DatabaseJob> job) override;

  // A read the replica could not run (no connection): runs it on the primary instead.
  void fall_back(std::size_t replica, std::unique_ptr<DatabaseJob> job);

 private:
  ReadRouter router_;
  std::unique_ptr<PostgresEngine> primary_;
  std::vector<std::unique_ptr<PostgresEngine>> replicas_;
  observe::Counter to_replica_;
  observe::Counter primary_behind_;
  observe::Counter primary_no_replica_;
  observe::Counter primary_fallback_;
  std::unique_ptr<ReplicaMonitor> monitor_;  // last: it reports to the router while it runs
};

}  // namespace tachyon::db
