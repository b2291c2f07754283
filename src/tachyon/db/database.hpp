// The database a service uses from its event loops. Reads and writes are both awaited, so no caller
// can assume an answer without a wait and nothing blocks a loop: the engine (database_engine.hpp)
// decides where work runs. On SQLite reads answer inline on one read connection per event-loop thread
// (an indexed lookup takes microseconds, less than any hand-off) and writes are group-committed on one
// writer thread; on PostgreSQL reads from an event loop run on that loop's own pipelined connection
// (suspending on a coroutine, postgres_pipeline.hpp) and writes on a pool of connections; reads go to
// the replicas when there are any. Each write runs inside a transaction of its own (a savepoint of the
// group on SQLite).
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/context/detail/exception.hpp>
#include <exception>
#include <future>
#include <memory>
#include <optional>
#include <type_traits>
#include <variant>

#include "tachyon/db/database_engine.hpp"
#include "tachyon/db/postgres_options.hpp"
#include "tachyon/db/query_span.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::db {

// The completion signature of work that yields `Result`.
template <class Result>
struct JobSignature {
  using type = void(std::exception_ptr, Result);
};
template <>
struct JobSignature<void> {
  using type = void(std::exception_ptr);
};

// Where a read may run when there are read replicas: on one that has every write the read must see
// (its caller's, or this instance's), or on the primary, for reads that must see every committed write
// of every instance and process (credentials, revocations: a key revoked elsewhere must fail at once).
enum class ReadFrom { fresh_enough_replica, primary };

class Database {
 public:
  explicit Database(ConnectionOptions sqlite);
  explicit Database(PostgresOptions postgres);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect dialect() const { return dialect_; }

  // Runs `work(Connection&)` on a read connection and returns its result (exceptions propagate). The
  // time and the statements go to the request's "db" span when `context` is given. With read replicas
  // the read sees every write its caller (`context`) made before, and a read without a context every
  // write this instance made before (a cache fill after an invalidation, a key lookup). `work` must not
  // keep the connection and should only read. Pass it named and moved (GCC 12, see write()).
  template <class Work>
  auto read(Work work, const http::Context* context = nullptr, ReadFrom from = ReadFrom::fresh_enough_replica)
      -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    if (Connection* connection = engine_->inline_reader()) {
      std::optional<QuerySpan> span;
      if (context != nullptr) span.emplace(*context, *connection);
      if constexpr (std::is_void_v<std::invoke_result_t<Work&, Connection&>>) {
        work(*connection);
        co_return;
      } else {
        co_return work(*connection);
      }
    }
    QueryMeasure measure;
    std::optional<QuerySpan> span;
    if (context != nullptr) span.emplace(*context, measure);
    co_return co_await submit(std::move(work), from == ReadFrom::primary ? Submit::primary_read : Submit::read,
                              caller_of(context), &measure);
  }

  // The same from a thread that is not an event loop (a poller thread, start-up, the CLI), on a
  // connection with every committed write (ReadFrom::primary).
  template <class Work>
  auto read_blocking(Work work) -> std::invoke_result_t<Work&, Connection&> {
    if (Connection* connection = engine_->inline_reader()) return work(*connection);
    return wait_for(std::move(work),
                    [this](std::unique_ptr<DatabaseJob> job) { engine_->submit_primary_read(std::move(job)); });
  }

  // Runs `work(Connection&)` inside a transaction on a writing connection and resumes the caller on
  // its own executor with the result (exceptions propagate; a transaction that throws rolls back).
  // With read replicas, the request's caller (`context`) reads its own write from then on; without a
  // context only reads without one are sure to see it.
  // Not a coroutine itself, and callers pass a named, moved work object: GCC 12 destroys temporaries
  // with non-trivial destructors inside a co_await expression twice (GCC bugs 100611, 101367).
  template <class Work>
  auto write(Work work, const http::Context* context = nullptr)
      -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    return submit(std::move(work), Submit::write, caller_of(context), nullptr);
  }

  // Runs `work` on a writing connection, outside any transaction the engine opens (it may open its
  // own), from a thread that is not an event loop: start-up, migrations, the CLI.
  template <class Work>
  auto write_blocking(Work work) -> std::invoke_result_t<Work&, Connection&> {
    return wait_for(std::move(work),
                    [this](std::unique_ptr<DatabaseJob> job) { engine_->submit_direct(std::move(job)); });
  }

 private:
  // Who `context` is for read-your-writes: the principal's subject, else the client's address; empty
  // without a context or when the engine does not route by caller. Lives as long as the context.
  std::string_view caller_of(const http::Context* context) const;

  enum class Submit { read, primary_read, write };
  // `caller` is copied by the engine before async_initiate returns, so a view of the context will do.
  template <class Work>
  auto submit(Work work, Submit how, std::string_view caller, QueryMeasure* measure)
      -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    using Result = std::invoke_result_t<Work&, Connection&>;
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), typename JobSignature<Result>::type>(
        [this, how, caller, measure](auto handler, Work job) {
          auto queued =
              std::make_unique<TypedJob<Work, decltype(handler), Result>>(std::move(job), std::move(handler), measure);
          switch (how) {
            case Submit::read:
              engine_->submit_read(std::move(queued), caller);
              break;
            case Submit::primary_read:
              engine_->submit_primary_read(std::move(queued));
              break;
            case Submit::write:
              engine_->submit_write(std::move(queued), caller);
              break;
          }
        },
        boost::asio::use_awaitable, std::move(work));
  }

  template <class Work, class Submit>
  auto wait_for(Work work, Submit submit) -> std::invoke_result_t<Work&, Connection&> {
    using Result = std::invoke_result_t<Work&, Connection&>;
    // Shared with the handler: the future may be ready (and this frame gone) while set_value returns.
    auto promise = std::make_shared<std::promise<Result>>();
    std::future<Result> outcome = promise->get_future();
    auto handler = [promise](std::exception_ptr error, auto... result) {
      if (error) {
        promise->set_exception(error);
      } else {
        promise->set_value(std::move(result)...);
      }
    };
    submit(std::make_unique<TypedJob<Work, decltype(handler), Result>>(std::move(work), std::move(handler), nullptr));
    return outcome.get();
  }

  template <class Work, class Handler, class Result>
  class TypedJob final : public DatabaseJob {
   public:
    TypedJob(Work work, Handler handler, QueryMeasure* measure)
        : work_(std::move(work)), handler_(std::move(handler)), measure_(measure) {}
    bool run(Connection& connection) override {
      const std::uint64_t statements_before = connection.statements_executed();
      bool succeeded = true;
      try {
        if constexpr (std::is_void_v<Result>) {
          work_(connection);
        } else {
          result_ = work_(connection);
        }
      } catch (const boost::context::detail::forced_unwind&) {
        throw;  // a suspended read's coroutine destroyed with its loop unwinds through here
      } catch (...) {
        error_ = std::current_exception();
        succeeded = false;
      }
      if (measure_ != nullptr) measure_->statements += connection.statements_executed() - statements_before;
      return succeeded;
    }
    const std::exception_ptr& error() const override { return error_; }
    void clear_error() override { error_ = nullptr; }
    void fail(std::exception_ptr error) override {
      if (!error_) error_ = std::move(error);
    }
    boost::asio::io_context* loop() const override {
      auto executor = boost::asio::get_associated_executor(handler_);
      if constexpr (requires { executor.template target<boost::asio::io_context::executor_type>(); }) {
        if (auto* loop = executor.template target<boost::asio::io_context::executor_type>()) return &loop->context();
      }
      return nullptr;
    }
    void complete() override {
      auto executor = boost::asio::get_associated_executor(handler_);
      if constexpr (std::is_void_v<Result>) {
        boost::asio::post(executor, [handler = std::move(handler_), error = error_]() mutable { handler(error); });
      } else {
        boost::asio::post(executor, [handler = std::move(handler_), error = error_,
                                     result = std::move(result_)]() mutable { handler(error, std::move(result)); });
      }
    }

   private:
    Work work_;
    Handler handler_;
    QueryMeasure* measure_;
    std::exception_ptr error_;
    [[no_unique_address]] std::conditional_t<std::is_void_v<Result>, std::monostate, Result> result_{};
  };

  Dialect dialect_;
  std::unique_ptr<DatabaseEngine> engine_;
};

}  // namespace tachyon::db
