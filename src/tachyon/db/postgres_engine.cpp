#include "tachyon/db/postgres_engine.hpp"

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>

namespace tachyon::db {

namespace {
// How long work fails at once after a failed connection attempt before the next attempt.
constexpr std::chrono::seconds reconnect_backoff{1};

// BEGIN failed because the connection is dead: none of the job's work ran, so it may run again.
struct LostBeforeWork {};
}  // namespace

std::uint64_t wal_insert_position(Connection& connection) {
  // The insert position, not the write or flush one: with synchronous_commit off a commit returns
  // before its WAL is written, and only the insert position is sure to be at or past its end.
  Statement position = connection.prepare("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint");
  if (!position.step()) throw DatabaseError(ErrorClass::other, 0, "pg_current_wal_insert_lsn() returned no row");
  return static_cast<std::uint64_t>(position.integer(0));
}

PostgresEngine::PostgresEngine(PostgresOptions options, std::string pool, bool reports_commit_positions)
    : options_(std::move(options)),
      connection_options_{.url = options_.url,
                          .statement_timeout = options_.statement_timeout,
                          .connect_timeout = options_.connect_timeout,
                          .slow_query_threshold = options_.slow_query_threshold},
      pipeline_settings_(std::make_shared<const PipelineSettings>(
          PipelineSettings{.connection = connection_options_, .pipelining = options_.pipelining, .pool = pool})),
      reports_commit_positions_(reports_commit_positions) {
  observe::Registry& registry = observe::default_registry();
  auto& connections =
      registry.gauge_family("tachyon_db_pool_connections",
                            "PostgreSQL pool connections by pool and state (in_use, idle).", {"pool", "state"});
  in_use_ = connections.labels({pool, "in_use"});
  idle_ = connections.labels({pool, "idle"});
  waiting_ =
      registry.gauge_family("tachyon_db_pool_waiting", "Database work waiting for a free pool connection.", {"pool"})
          .labels({pool});
  acquire_seconds_ =
      registry
          .histogram_family("tachyon_db_pool_acquire_seconds", "Time database work waited for a pool connection.",
                            {"pool"}, {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5})
          .labels({pool});
  acquire_timeouts_ = registry
                          .counter_family("tachyon_db_pool_acquire_timeouts_total",
                                          "Database work failed because no pool connection was free in time.", {"pool"})
                          .labels({pool});
  retries_ = registry
                 .counter_family("tachyon_db_transaction_retries_total",
                                 "Transactions run again after a serialization failure or deadlock.")
                 .labels({});
  threads_.reserve(static_cast<std::size_t>(options_.max_connections));
  for (int index = 0; index < options_.max_connections; ++index) threads_.emplace_back([this] { work(); });
}

PostgresEngine::~PostgresEngine() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void PostgresEngine::submit_read(std::unique_ptr<DatabaseJob> job, std::string_view /*caller*/) {
  if (boost::asio::io_context* loop = job->loop(); loop != nullptr && loop->get_executor().running_in_this_thread()) {
    run_pipelined_read(*loop, pipeline_owner_, pipeline_settings_, std::move(job));
    return;
  }
  submit(std::move(job), Mode::read);
}
void PostgresEngine::submit_write(std::unique_ptr<DatabaseJob> job, std::string_view /*caller*/) {
  submit(std::move(job), Mode::write);
}
void PostgresEngine::submit_direct(std::unique_ptr<DatabaseJob> job) {
  submit(std::move(job), Mode::direct);
}

void PostgresEngine::submit(std::unique_ptr<DatabaseJob> job, Mode mode) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(QueuedJob{std::move(job), mode, std::chrono::steady_clock::now()});
  }
  waiting_.increment();
  queued_.notify_one();
}

void PostgresEngine::work() {
  PooledConnection pooled;
  idle_.increment();
  for (;;) {
    QueuedJob queued;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and nothing left to answer
      queued = std::move(queue_.front());
      queue_.pop_front();
    }
    waiting_.decrement();
    const auto waited = std::chrono::steady_clock::now() - queued.queued_at;
    acquire_seconds_.observe(std::chrono::duration<double>(waited).count());
    if (waited > options_.acquire_timeout) {
      acquire_timeouts_.add();
      queued.job->fail(std::make_exception_ptr(DatabaseError(
          ErrorClass::unavailable, 0,
          fmt::format("no database connection was free within {} ms", options_.acquire_timeout.count()))));
      queued.job->complete();
      continue;
    }
    idle_.decrement();
    in_use_.increment();
    try {
      run_with_fresh_connection_on_loss(queued, pooled);
    } catch (...) {
      queued.job->fail(std::current_exception());
    }
    if (pooled.connection != nullptr && !pooled.connection->healthy()) {
      pooled.connection.reset();
      generation_.fetch_add(1);
    }
    queued.job->complete();
    in_use_.decrement();
    idle_.increment();
  }
  idle_.decrement();
}

void PostgresEngine::run_with_fresh_connection_on_loss(QueuedJob& queued, PooledConnection& pooled) {
  const bool reused = pooled.connection != nullptr;
  bool lost_before_work = false;
  try {
    PostgresConnection& connection = connection_for(pooled);
    run(queued, connection);
    // A read keeps its error inside the job, and runs again safely whatever it had done.
    lost_before_work = queued.mode == Mode::read && queued.job->error() && !connection.healthy();
  } catch (const LostBeforeWork&) {
    lost_before_work = true;
  }
  if (!lost_before_work) return;
  pooled.connection.reset();
  generation_.fetch_add(1);
  if (!reused) throw DatabaseError(ErrorClass::unavailable, 0, "the new PostgreSQL connection was lost");
  queued.job->clear_error();
  run(queued, connection_for(pooled));
}

PostgresConnection& PostgresEngine::connection_for(PooledConnection& pooled) {
  const auto now = std::chrono::steady_clock::now();
  if (pooled.connection != nullptr &&
      (pooled.generation < generation_.load() || now - pooled.connection->opened_at() > options_.max_lifetime)) {
    pooled.connection.reset();
  }
  if (pooled.connection != nullptr) return *pooled.connection;
  {
    std::lock_guard lock(mutex_);
    if (now < unreachable_until_)
      throw DatabaseError(ErrorClass::unavailable, 0, "PostgreSQL is unreachable (retrying every second)");
  }
  try {
    pooled.generation = generation_.load();
    pooled.connection = std::make_unique<PostgresConnection>(connection_options_);
  } catch (const DatabaseError&) {
    std::lock_guard lock(mutex_);
    unreachable_until_ = std::chrono::steady_clock::now() + reconnect_backoff;
    throw;
  }
  return *pooled.connection;
}

void PostgresEngine::run(QueuedJob& queued, PostgresConnection& connection) {
  switch (queued.mode) {
    case Mode::direct:
      // Work outside a transaction commits as it goes (migrations, seeding): where it ended counts.
      if (queued.job->run(connection) && reports_commit_positions_ && connection.healthy() &&
          !connection.in_transaction()) {
        report_commit_position(*queued.job, connection);
      }
      break;
    case Mode::read:
      queued.job->run(connection);
      if (connection.healthy() && connection.in_transaction()) connection.execute_script("ROLLBACK");  // left open
      break;
    case Mode::write:
      run_write(*queued.job, connection);
      break;
  }
}

void PostgresEngine::report_commit_position(DatabaseJob& job, PostgresConnection& connection) {
  try {
    job.committed(wal_insert_position(connection));
  } catch (const DatabaseError&) {
    // The write stands; where it ended is unknown, so its caller reads from the primary for a while.
    job.committed(unknown_wal_position);
  }
}

void PostgresEngine::run_write(DatabaseJob& job, PostgresConnection& connection) {
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt < options_.serialization_retries;
    try {
      try {
        connection.execute_script("BEGIN");
      } catch (const DatabaseError&) {
        if (!connection.healthy()) throw LostBeforeWork{};
        throw;
      }
      if (job.run(connection)) {
        connection.execute_script("COMMIT");
        if (reports_commit_positions_) report_commit_position(job, connection);
        return;
      }
      connection.execute_script("ROLLBACK");
      if (!may_retry || !is_database_error(job.error(), ErrorClass::serialization_failure))
        return;  // the work's own error stands
      job.clear_error();
    } catch (const DatabaseError& failure) {  // BEGIN or COMMIT failed
      if (connection.healthy() && connection.in_transaction()) connection.execute_script("ROLLBACK");
      if (!may_retry || failure.error_class() != ErrorClass::serialization_failure) throw;
    }
    retries_.add();
  }
}

}  // namespace tachyon::db
