#include "tachyon/db/replica_monitor.hpp"

#include "tachyon/db/database_error.hpp"

namespace tachyon::db {

namespace {
constexpr const char* primary_position_sql = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";
// NULL on a server that is not a standby (promoted, or misconfigured): then it has everything it has.
constexpr const char* replayed_position_sql =
    "SELECT (coalesce(pg_last_wal_replay_lsn(), pg_current_wal_insert_lsn()) - '0/0'::pg_lsn)::bigint";
}  // namespace

ReplicaLag replica_lag(const std::deque<PositionSample>& primary, std::uint64_t replayed,
                       std::chrono::steady_clock::time_point now) {
  ReplicaLag lag;
  if (primary.empty()) return lag;
  if (primary.back().position > replayed) lag.bytes = primary.back().position - replayed;
  for (const PositionSample& sample : primary) {
    if (sample.position > replayed) {
      lag.behind = now - sample.at;
      break;
    }
  }
  return lag;
}

ReplicaMonitor::ReplicaMonitor(ReplicaMonitorOptions options, ReadRouter& router)
    : options_(std::move(options)), router_(router) {
  observe::Registry& registry = observe::default_registry();
  auto& up = registry.gauge_family("tachyon_db_replica_up",
                                   "1 while a PostgreSQL read replica answers and lags little enough to take reads.",
                                   {"replica"});
  auto& bytes = registry.gauge_family("tachyon_db_replica_lag_bytes", "WAL bytes a read replica has still to replay.",
                                      {"replica"});
  auto& seconds =
      registry.gauge_family("tachyon_db_replica_lag_seconds",
                            "Age of the oldest primary WAL position a read replica has not replayed.", {"replica"});
  for (const std::string& name : options_.names) {
    replicas_.push_back(Watched{nullptr, {up.labels({name})}, {bytes.labels({name})}, {seconds.labels({name})}});
  }
  thread_ = std::thread([this] { run(); });
}

ReplicaMonitor::~ReplicaMonitor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ReplicaMonitor::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    poll();
    lock.lock();
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

std::optional<std::uint64_t> ReplicaMonitor::query_position(std::unique_ptr<PostgresConnection>& connection,
                                                            const PostgresConnectionOptions& options, const char* sql) {
  try {
    if (connection == nullptr || !connection->healthy()) connection = std::make_unique<PostgresConnection>(options);
    Statement statement = connection->prepare(sql);
    if (!statement.step()) return std::nullopt;
    return static_cast<std::uint64_t>(statement.integer(0));
  } catch (const DatabaseError&) {
    if (connection != nullptr && !connection->healthy()) connection.reset();
    return std::nullopt;
  }
}

void ReplicaMonitor::poll() {
  const auto now = std::chrono::steady_clock::now();
  if (std::optional<std::uint64_t> position = query_position(primary_, options_.primary, primary_position_sql)) {
    samples_.push_back({now, *position});
  }
  // Keep one sample older than the window, so a replica that has replayed none of it shows more lag.
  const auto window = options_.max_lag + 10 * options_.interval;
  while (samples_.size() > 1 && now - samples_[1].at > window) samples_.pop_front();

  for (std::size_t index = 0; index < replicas_.size(); ++index) {
    Watched& replica = replicas_[index];
    std::optional<std::uint64_t> replayed =
        query_position(replica.connection, options_.replicas[index], replayed_position_sql);
    if (!replayed) {
      router_.replica_state(index, std::nullopt, false, now);
      replica.up.set(0);
      continue;
    }
    ReplicaLag lag = replica_lag(samples_, *replayed, now);
    const bool usable = lag.behind <= options_.max_lag;
    router_.replica_state(index, replayed, usable, now);
    replica.up.set(usable ? 1 : 0);
    replica.lag_bytes.set(static_cast<double>(lag.bytes));
    replica.lag_seconds.set(std::chrono::duration<double>(lag.behind).count());
  }
}

}  // namespace tachyon::db
