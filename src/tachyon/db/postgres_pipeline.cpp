#include "tachyon/db/postgres_pipeline.hpp"

#include <libpq-fe.h>

#include <fmt/format.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <unordered_map>

#include "tachyon/db/database_error.hpp"
#include "tachyon/db/loop_coroutine.hpp"
#include "tachyon/db/postgres_connection.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// What a statement's coroutine finds when it is resumed: its result, or why there is none.
struct StatementOutcome {
  std::exception_ptr error;
  pg_result* result = nullptr;
};

// How long work fails at once after a failed connection attempt before the next attempt.
constexpr std::chrono::seconds reconnect_backoff{1};
// A read's coroutine stack. Work functions bind, step and map rows; the deepest (a list page with its
// filters) uses a few KiB, ASan's redzones multiply that; the stacks are pooled per loop.
constexpr std::size_t stack_size = 256 * 1024;

std::exception_ptr database_error(ErrorClass error_class, const std::string& message) {
  return std::make_exception_ptr(DatabaseError(error_class, 0, message));
}

// One loop's connection to one server.
class PostgresPipeline {
 public:
  PostgresPipeline(asio::io_context& loop, std::shared_ptr<const PipelineSettings> settings)
      : loop_(loop), settings_(std::move(settings)), socket_(loop), watchdog_(loop), connect_deadline_(loop) {
    depth_ = observe::default_registry()
                 .histogram_family("tachyon_db_pipeline_depth",
                                   "Statements already in flight on an event loop's PostgreSQL connection when one "
                                   "more was sent (0: it had the round trip to itself).",
                                   {"pool"}, {0, 1, 2, 4, 8, 16, 32, 64})
                 .labels({settings_->pool});
  }
  ~PostgresPipeline() { close(ErrorClass::unavailable, "the event loop stopped"); }

  // Which connection is open: a number that changes with every connection opened, 0 while none is.
  std::uint64_t open_connection_serial() const { return handle_ != nullptr && !connecting_ ? connection_serial_ : 0; }
  std::string_view description() const { return description_; }

  // Sends `execution` (preparing it on this connection first when it is new here) and suspends the
  // calling coroutine until its result; throws DatabaseError.
  pg_result* run_prepared(const PostgresExecution& execution, LoopCoroutine& coroutine) {
    take_turn(coroutine);
    std::string key = execution.prepared_key();
    std::string prepared_here;
    auto found = prepared_.find(key);
    if (found == prepared_.end()) {
      std::string name = fmt::format("tachyon_{}", ++statements_prepared_);
      if (PQsendPrepare(handle_, name.c_str(), execution.sql.c_str(), static_cast<int>(execution.types.size()),
                        reinterpret_cast<const Oid*>(execution.types.data())) != 1) {
        throw_send_failure();
      }
      found = prepared_.emplace(key, std::move(name)).first;
      prepared_here = std::move(key);
    }
    if (PQsendQueryPrepared(handle_, found->second.c_str(), static_cast<int>(execution.values.size()),
                            execution.values.data(), nullptr, nullptr, 0) != 1) {
      throw_send_failure();
    }
    return await_sync(std::move(prepared_here), coroutine);
  }

  // One statement without parameters (SET ...), through the pipeline like the others.
  pg_result* run_plain(const std::string& sql, LoopCoroutine& coroutine) {
    take_turn(coroutine);
    if (PQsendQueryParams(handle_, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) throw_send_failure();
    return await_sync({}, coroutine);
  }

 private:
  struct InFlight {
    LoopCoroutine* waiter;
    StatementOutcome* delivery;  // on the waiter's stack
    Clock::time_point sent_at;
    std::string prepared_key;  // set when this statement's prepare went with it: forgotten if it fails
    pg_result* answer = nullptr;
    std::exception_ptr error;
  };

  // Waits until a statement may be sent: the connection is open (opening it when this coroutine is the
  // first to find it closed) and, with pipelining off, nothing else is in flight.
  void take_turn(LoopCoroutine& coroutine) {
    for (;;) {
      if (connecting_) {  // another coroutine is opening it (handle_ is set from the start)
        wait_for_wake(connection_waiters_, coroutine);
        if (handle_ == nullptr) throw DatabaseError(ErrorClass::unavailable, 0, last_connect_error_);
        continue;
      }
      if (handle_ == nullptr) {
        connect(coroutine);
        continue;
      }
      if (settings_->pipelining || in_flight_.empty()) return;
      wait_for_wake(turn_waiters_, coroutine);
    }
  }

  void wait_for_wake(std::deque<LoopCoroutine*>& waiters, LoopCoroutine& coroutine) {
    waiters.push_back(&coroutine);
    coroutine.suspend();
  }

  // Resumes every waiter (posted: never inside the caller's own state changes).
  void wake(std::deque<LoopCoroutine*>& waiters) {
    std::deque<LoopCoroutine*> woken;
    woken.swap(waiters);
    for (LoopCoroutine* waiter : woken) waiter->wake_later();
  }

  void connect(LoopCoroutine& coroutine) {
    if (Clock::now() < unreachable_until_) {
      throw DatabaseError(ErrorClass::unavailable, 0, "PostgreSQL is unreachable (retrying every second)");
    }
    connecting_ = true;
    try {
      open_connection(coroutine);
      connecting_ = false;
      wake(connection_waiters_);
    } catch (const DatabaseError& failure) {
      close(ErrorClass::unavailable, failure.what());
      last_connect_error_ = failure.what();
      unreachable_until_ = Clock::now() + reconnect_backoff;
      connecting_ = false;
      wake(connection_waiters_);
      throw;
    }
  }

  // PQconnectStart and PQconnectPoll with the socket watched by the loop, bounded by the connect timeout;
  // then pipeline mode and the statement timeout.
  void open_connection(LoopCoroutine& coroutine) {
    PostgresConnectParameters parameters(settings_->connection);
    handle_ = PQconnectStartParams(parameters.keywords(), parameters.values(), /*expand_dbname=*/1);
    if (handle_ == nullptr || PQstatus(handle_) == CONNECTION_BAD) {
      pg_conn* failed = handle_;
      handle_ = nullptr;
      throw_connect_failure(failed);
    }
    const std::uint64_t generation = ++generation_;
    auto expired = std::make_shared<bool>(false);
    connect_deadline_.expires_after(settings_->connection.connect_timeout);
    connect_deadline_.async_wait([this, expired, generation](boost::system::error_code error) {
      if (error || generation != generation_) return;
      *expired = true;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    });
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
      if (status == PGRES_POLLING_FAILED) {
        connect_deadline_.cancel();
        pg_conn* failed = handle_;
        release_socket();
        handle_ = nullptr;
        throw_connect_failure(failed);
      }
      watch_descriptor(PQsocket(handle_));
      socket_.async_wait(status == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                                         : asio::posix::stream_descriptor::wait_write,
                         [resume = coroutine.resumption()](boost::system::error_code) mutable { resume(); });
      coroutine.suspend();
      if (*expired) {
        throw DatabaseError(ErrorClass::unavailable, 0,
                            fmt::format("cannot connect to PostgreSQL: no answer within {} ms",
                                        settings_->connection.connect_timeout.count()));
      }
      status = PQconnectPoll(handle_);
    }
    connect_deadline_.cancel();
    watch_descriptor(PQsocket(handle_));
    prepare_opened_connection(handle_);
    description_ = describe_connection(handle_);
    if (PQsetnonblocking(handle_, 1) != 0 || PQenterPipelineMode(handle_) != 1) {
      throw DatabaseError(ErrorClass::unavailable, 0, "cannot enter libpq's pipeline mode");
    }
    if (PQsendQueryParams(
            handle_, fmt::format("SET statement_timeout = {}", settings_->connection.statement_timeout.count()).c_str(),
            0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
      throw_send_failure();
    }
    PQclear(await_sync({}, coroutine));
    ++connection_serial_;
  }

  void watch_descriptor(int descriptor) {
    if (socket_.is_open() && socket_.native_handle() == descriptor) return;
    release_socket();
    socket_.assign(descriptor);
  }

  void release_socket() {
    if (!socket_.is_open()) return;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
    socket_.release();  // libpq owns the descriptor and closes it in PQfinish
  }

  [[noreturn]] void throw_send_failure() {
    std::string message = fmt::format("send: {}", PQerrorMessage(handle_));
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    close(ErrorClass::unavailable, message);
    throw DatabaseError(ErrorClass::unavailable, 0, message);
  }

  // Ends what was just sent with a sync point (its own implicit transaction, and where an error stops
  // skipping), sends it, and suspends until the statement's results have all come back.
  pg_result* await_sync(std::string prepared_key, LoopCoroutine& coroutine) {
    if (PQpipelineSync(handle_) != 1) throw_send_failure();
    depth_.observe(static_cast<double>(in_flight_.size()));
    StatementOutcome outcome;
    in_flight_.push_back({&coroutine, &outcome, Clock::now(), std::move(prepared_key)});
    flush();
    watch_readable();
    arm_watchdog();
    coroutine.suspend();
    if (outcome.error) std::rethrow_exception(outcome.error);
    return outcome.result;
  }

  void flush() {
    if (handle_ == nullptr) return;
    int pending = PQflush(handle_);
    if (pending < 0) {
      close(ErrorClass::unavailable, fmt::format("send: {}", PQerrorMessage(handle_)));
    } else if (pending == 1 && !writing_) {
      writing_ = true;
      socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                         [this, generation = generation_](boost::system::error_code error) {
                           if (generation != generation_) return;
                           writing_ = false;
                           if (!error) flush();
                         });
    }
  }

  void watch_readable() {
    if (reading_ || handle_ == nullptr || in_flight_.empty()) return;
    reading_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [this, generation = generation_](boost::system::error_code error) {
                         if (generation != generation_) return;
                         reading_ = false;
                         if (error) return;
                         on_readable();
                       });
  }

  void on_readable() {
    if (PQconsumeInput(handle_) != 1) {
      std::string message = PQerrorMessage(handle_);
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      close(ErrorClass::unavailable, fmt::format("receive: {}", message));
      return;
    }
    bool lost = false;
    int separators = 0;
    while (!in_flight_.empty() && PQisBusy(handle_) == 0) {
      pg_result* result = PQgetResult(handle_);
      if (result == nullptr) {  // the end of one statement's results; twice running: nothing more yet
        if (++separators > 1) break;
        continue;
      }
      separators = 0;
      InFlight& head = in_flight_.front();
      switch (PQresultStatus(result)) {
        case PGRES_PIPELINE_SYNC:
          PQclear(result);
          finish_head();
          break;
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
          PQclear(head.answer);  // the prepare's, before the execution's
          head.answer = result;
          break;
        case PGRES_PIPELINE_ABORTED:  // skipped after the error already kept
          PQclear(result);
          break;
        default:
          if (!head.prepared_key.empty()) prepared_.erase(head.prepared_key);
          if (head.error) {
            PQclear(result);
            break;
          }
          try {
            throw_unless_succeeded(handle_, result, "step", lost);
          } catch (...) {
            head.error = std::current_exception();
          }
      }
    }
    if (lost || PQstatus(handle_) != CONNECTION_OK) {
      close(ErrorClass::unavailable, "the PostgreSQL connection was lost");
      return;
    }
    flush();
    watch_readable();
  }

  void finish_head() {
    InFlight head = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (head.error) {
      PQclear(head.answer);
      *head.delivery = {head.error};
    } else {
      *head.delivery = {nullptr, head.answer};
    }
    head.waiter->wake_later();
    if (in_flight_.empty()) {
      disarm_watchdog();
      wake(turn_waiters_);
    }
  }

  // A server that stops answering (frozen, or the network dropped) is noticed on the client side: the
  // server's statement timeout would have answered by then.
  void arm_watchdog() {
    if (watchdog_armed_ || in_flight_.empty()) return;
    watchdog_armed_ = true;
    watchdog_.expires_at(in_flight_.front().sent_at + answer_limit());
    watchdog_.async_wait([this, generation = generation_](boost::system::error_code error) {
      if (error) return;  // cancelled by disarm_watchdog, which cleared the flag
      watchdog_armed_ = false;
      if (generation != generation_ || in_flight_.empty()) return;
      if (Clock::now() - in_flight_.front().sent_at >= answer_limit()) {
        close(ErrorClass::timeout,
              fmt::format("PostgreSQL did not answer within {} ms",
                          std::chrono::duration_cast<std::chrono::milliseconds>(answer_limit()).count()));
        return;
      }
      arm_watchdog();
    });
  }

  // Nothing in flight: no timer may keep the loop's run() from returning.
  void disarm_watchdog() {
    watchdog_armed_ = false;
    watchdog_.cancel();
  }

  Clock::duration answer_limit() const {
    return settings_->connection.statement_timeout + settings_->connection.connect_timeout;
  }

  // Fails every statement in flight with `error_class` and drops the connection; the next statement
  // opens a new one.
  void close(ErrorClass error_class, const std::string& message) {
    ++generation_;
    std::deque<InFlight> failed;
    failed.swap(in_flight_);
    for (InFlight& statement : failed) {
      PQclear(statement.answer);
      *statement.delivery = {database_error(error_class, message)};
      statement.waiter->wake_later();
    }
    release_socket();
    if (handle_ != nullptr) PQfinish(handle_);
    handle_ = nullptr;
    prepared_.clear();
    reading_ = writing_ = false;
    disarm_watchdog();
    connect_deadline_.cancel();
    wake(turn_waiters_);
  }

  asio::io_context& loop_;
  std::shared_ptr<const PipelineSettings> settings_;
  pg_conn* handle_ = nullptr;
  std::string description_;
  asio::posix::stream_descriptor socket_;
  asio::steady_timer watchdog_;
  asio::steady_timer connect_deadline_;
  bool watchdog_armed_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool connecting_ = false;
  std::string last_connect_error_;
  Clock::time_point unreachable_until_{};
  std::uint64_t connection_serial_ = 0;
  std::uint64_t generation_ = 0;  // bumped when the connection closes: callbacks of an older one do nothing
  std::deque<InFlight> in_flight_;
  std::deque<LoopCoroutine*> connection_waiters_;
  std::deque<LoopCoroutine*> turn_waiters_;
  std::unordered_map<std::string, std::string> prepared_;  // PostgresExecution::prepared_key -> name
  std::uint64_t statements_prepared_ = 0;
  observe::Histogram depth_;
};

// The Connection a read's work sees on its coroutine: statements go through the loop's pipeline.
class PipelinedSession final : public PostgresSession {
 public:
  PipelinedSession(PostgresPipeline& pipeline, const PipelineSettings& settings, LoopCoroutine& coroutine)
      : PostgresSession(settings.connection.slow_query_threshold), pipeline_(pipeline), coroutine_(coroutine) {}
  ~PipelinedSession() override { statements_.clear(); }

  void execute_script(std::string_view sql) override { PQclear(pipeline_.run_plain(std::string(sql), coroutine_)); }
  bool in_transaction() const override { return false; }
  std::string_view describe() const override { return pipeline_.description(); }

 protected:
  // Reads share the loop's connection with other requests' statements: a transaction there would take
  // theirs in. Work that needs one is a write.
  std::string_view begin_statement() const override {
    throw DatabaseError(ErrorClass::other, 0, "a read cannot open a transaction on a pipelined connection");
  }

 private:
  pg_result* run_prepared(const PostgresExecution& execution) override {
    return pipeline_.run_prepared(execution, coroutine_);
  }

  PostgresPipeline& pipeline_;
  LoopCoroutine& coroutine_;
};

// Each loop's pipelines (one per engine) and read stacks; destroyed with the loop's io_context, so the
// sockets it watches never outlive it.
class PipelineService final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit PipelineService(asio::execution_context& context) : service(context) {}

  PostgresPipeline& pipeline_for(asio::io_context& loop, std::uint64_t owner,
                                 const std::shared_ptr<const PipelineSettings>& settings) {
    std::unique_ptr<PostgresPipeline>& pipeline = pipelines_[owner];
    if (pipeline == nullptr) pipeline = std::make_unique<PostgresPipeline>(loop, settings);
    return *pipeline;
  }
  CoroutineStacks& stacks() { return stacks_; }

 private:
  void shutdown() override { pipelines_.clear(); }

  std::unordered_map<std::uint64_t, std::unique_ptr<PostgresPipeline>> pipelines_;
  CoroutineStacks stacks_{stack_size};
};

std::atomic<std::uint64_t> pipeline_owners{0};

}  // namespace

std::uint64_t next_pipeline_owner() {
  return ++pipeline_owners;
}

void run_pipelined_read(asio::io_context& loop, std::uint64_t owner, std::shared_ptr<const PipelineSettings> settings,
                        std::unique_ptr<DatabaseJob> job) {
  PipelineService& service = asio::use_service<PipelineService>(loop);
  PostgresPipeline& pipeline = service.pipeline_for(loop, owner, settings);
  LoopCoroutine::start(loop, service.stacks(),
                       [&pipeline, settings = std::move(settings),
                        job = std::shared_ptr<DatabaseJob>(std::move(job))](LoopCoroutine& coroutine) {
                         const std::uint64_t connection = pipeline.open_connection_serial();
                         {
                           PipelinedSession session(pipeline, *settings, coroutine);
                           job->run(session);
                         }
                         // It started on a connection that was open already, and that one is gone now.
                         if (connection != 0 && pipeline.open_connection_serial() != connection &&
                             is_database_error(job->error(), ErrorClass::unavailable)) {
                           job->clear_error();
                           PipelinedSession session(pipeline, *settings, coroutine);
                           job->run(session);
                         }
                         job->complete();
                       });
}

}  // namespace tachyon::db
