#include "tachyon/db/replicated_engine.hpp"

#include <fmt/format.h>

#include <string>

#include "tachyon/db/database_error.hpp"

namespace tachyon::db {

namespace {

// A job that forwards everything to the one it wraps.
class ForwardingJob : public DatabaseJob {
 public:
  explicit ForwardingJob(std::unique_ptr<DatabaseJob> job) : job_(std::move(job)) {}
  bool run(Connection& connection) override { return job_->run(connection); }
  const std::exception_ptr& error() const override { return job_->error(); }
  void clear_error() override { job_->clear_error(); }
  void fail(std::exception_ptr error) override { job_->fail(std::move(error)); }
  void complete() override { job_->complete(); }
  void committed(std::uint64_t wal_position) override { job_->committed(wal_position); }
  boost::asio::io_context* loop() const override { return job_->loop(); }

 protected:
  std::unique_ptr<DatabaseJob> job_;
};

// A write that tells the router where its commit ended, for its caller's next reads.
class TrackedWrite final : public ForwardingJob {
 public:
  TrackedWrite(std::unique_ptr<DatabaseJob> job, ReadRouter& router, std::string_view caller)
      : ForwardingJob(std::move(job)), router_(router), caller_(caller) {}
  void committed(std::uint64_t wal_position) override { router_.wrote(caller_, wal_position); }

 private:
  ReadRouter& router_;
  std::string caller_;
};

// A read on a replica that goes to the primary when the replica has no connection for it.
class ReplicaRead final : public ForwardingJob {
 public:
  ReplicaRead(std::unique_ptr<DatabaseJob> job, ReplicatedEngine& engine, std::size_t replica)
      : ForwardingJob(std::move(job)), engine_(engine), replica_(replica) {}
  void complete() override {
    if (!is_database_error(job_->error(), ErrorClass::unavailable)) {  // not for want of a connection
      job_->complete();
      return;
    }
    job_->clear_error();
    engine_.fall_back(replica_, std::move(job_));
  }

 private:
  ReplicatedEngine& engine_;
  std::size_t replica_;
};

PostgresConnectionOptions connection_options(const PostgresOptions& options, const std::string& url) {
  return {.url = url,
          .statement_timeout = options.statement_timeout,
          .connect_timeout = options.connect_timeout,
          .slow_query_threshold = options.slow_query_threshold};
}

ReplicaMonitorOptions monitor_options(const PostgresOptions& options) {
  ReplicaMonitorOptions monitor{.primary = connection_options(options, options.url),
                                .interval = options.replica_poll_interval,
                                .max_lag = options.replica_max_lag};
  for (std::size_t index = 0; index < options.replica_urls.size(); ++index) {
    monitor.replicas.push_back(connection_options(options, options.replica_urls[index]));
    monitor.names.push_back(fmt::format("replica{}", index));
  }
  return monitor;
}

}  // namespace

ReplicatedEngine::ReplicatedEngine(PostgresOptions options)
    // A usable replica lags at most max_lag, as the monitor saw it up to two polls ago.
    : router_(options.replica_urls.size(), options.replica_max_lag + 2 * options.replica_poll_interval) {
  auto& routes = observe::default_registry().counter_family(
      "tachyon_db_read_routes_total", "Database reads by where they went (PostgreSQL with read replicas).", {"route"});
  to_replica_ = routes.labels({"replica"});
  primary_behind_ = routes.labels({"primary_behind"});
  primary_no_replica_ = routes.labels({"primary_no_replica"});
  primary_fallback_ = routes.labels({"primary_fallback"});

  for (std::size_t index = 0; index < options.replica_urls.size(); ++index) {
    PostgresOptions replica = options;
    replica.url = options.replica_urls[index];
    replica.replica_urls.clear();
    replicas_.push_back(std::make_unique<PostgresEngine>(std::move(replica), fmt::format("replica{}", index)));
  }
  ReplicaMonitorOptions monitor = monitor_options(options);
  PostgresOptions primary = std::move(options);
  primary.replica_urls.clear();
  primary_ = std::make_unique<PostgresEngine>(std::move(primary), "primary", true);
  monitor_ = std::make_unique<ReplicaMonitor>(std::move(monitor), router_);
}

ReplicatedEngine::~ReplicatedEngine() {
  monitor_.reset();
  // Replica pools first: a read they fail over lands on the primary, which is still there.
  replicas_.clear();
  primary_.reset();
}

void ReplicatedEngine::submit_read(std::unique_ptr<DatabaseJob> job, std::string_view caller) {
  ReadChoice choice = router_.choose(caller);
  switch (choice.target) {
    case ReadTarget::replica:
      to_replica_.add();
      replicas_[choice.replica]->submit_read(std::make_unique<ReplicaRead>(std::move(job), *this, choice.replica),
                                             caller);
      return;
    case ReadTarget::primary_behind:
      primary_behind_.add();
      break;
    case ReadTarget::primary_no_replica:
      primary_no_replica_.add();
      break;
  }
  primary_->submit_read(std::move(job), caller);
}

void ReplicatedEngine::fall_back(std::size_t replica, std::unique_ptr<DatabaseJob> job) {
  router_.replica_failed(replica);
  primary_fallback_.add();
  primary_->submit_read(std::move(job), {});
}

void ReplicatedEngine::submit_write(std::unique_ptr<DatabaseJob> job, std::string_view caller) {
  primary_->submit_write(std::make_unique<TrackedWrite>(std::move(job), router_, caller), caller);
}

void ReplicatedEngine::submit_primary_read(std::unique_ptr<DatabaseJob> job) {
  primary_->submit_read(std::move(job), {});
}

void ReplicatedEngine::submit_direct(std::unique_ptr<DatabaseJob> job) {
  primary_->submit_direct(std::make_unique<TrackedWrite>(std::move(job), router_, std::string_view()));
}

}  // namespace tachyon::db
