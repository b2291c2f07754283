// The database a service uses from its event loops. Reads and writes are both awaited, so no caller
// can assume an answer without a wait (a network backend suspends; SQLite reads answer inline on one
// read connection per event-loop thread, since an indexed lookup takes microseconds, less than any
// hand-off). Writes run on one writer connection on its own thread, group-committed, so they never
// block a loop. SQLite in WAL mode makes every committed write visible to the very next read on any
// connection.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "tachyon/db/query_span.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::db {

// The completion signature of a write that yields `Result`.
template <class Result>
struct WriteSignature {
  using type = void(std::exception_ptr, Result);
};
template <>
struct WriteSignature<void> {
  using type = void(std::exception_ptr);
};

class Database {
 public:
  explicit Database(ConnectionOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs `work(Connection&)` on a read connection and returns its result (exceptions propagate). The
  // time and the statements go to the request's "db" span when `context` is given. `work` must not
  // keep the connection. Pass it named and moved (GCC 12, see write()).
  template <class Work>
  auto read(Work work, const http::Context* context = nullptr)
      -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    Connection& connection = reader();
    std::optional<QuerySpan> span;
    if (context != nullptr) span.emplace(*context, connection);
    if constexpr (std::is_void_v<std::invoke_result_t<Work&, Connection&>>) {
      work(connection);
      co_return;
    } else {
      co_return work(connection);
    }
  }

  // The same from a thread that is not an event loop (a poller thread, start-up, the CLI).
  template <class Work>
  auto read_blocking(Work work) -> std::invoke_result_t<Work&, Connection&> {
    return work(reader());
  }

  // Runs `work(Connection&)` on the writer thread and resumes the caller on its own executor with the
  // result (exceptions propagate). Writes from all loops queue here and are group-committed: the
  // writer takes every queued write, runs each in its own savepoint inside one transaction, commits
  // once, and only then answers them all. A write that throws rolls back alone.
  // Not a coroutine itself, and callers pass a named, moved work object: GCC 12 destroys temporaries
  // with non-trivial destructors inside a co_await expression twice (GCC bugs 100611, 101367).
  template <class Work>
  auto write(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    using Result = std::invoke_result_t<Work&, Connection&>;
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), typename WriteSignature<Result>::type>(
        [this](auto handler, Work job) {
          enqueue(std::make_unique<TypedWriteJob<Work, decltype(handler), Result>>(std::move(job), std::move(handler)));
        },
        boost::asio::use_awaitable, std::move(work));
  }

  // Runs `work` on the writer connection from a thread that is not an event loop (start-up, CLI).
  template <class Work>
  auto write_blocking(Work work) -> std::invoke_result_t<Work&, Connection&> {
    using Result = std::invoke_result_t<Work&, Connection&>;
    std::packaged_task<Result()> task([this, &work] { return work(*writer_); });
    std::future<Result> outcome = task.get_future();
    boost::asio::post(writer_context_, [&task] { task(); });
    return outcome.get();
  }

  const ConnectionOptions& options() const { return options_; }

 private:
  // This thread's read connection, opened on first use.
  Connection& reader();

  // One queued write: run inside the group's transaction, then completed after the commit.
  class WriteJob {
   public:
    virtual ~WriteJob() = default;
    virtual bool run(Connection& connection) = 0;     // false when the work threw (kept for complete())
    virtual void fail(std::exception_ptr error) = 0;  // the group's commit failed
    virtual void complete() = 0;                      // resumes the waiting handler on its executor
  };

  template <class Work, class Handler, class Result>
  class TypedWriteJob final : public WriteJob {
   public:
    TypedWriteJob(Work work, Handler handler) : work_(std::move(work)), handler_(std::move(handler)) {}
    bool run(Connection& connection) override {
      try {
        if constexpr (std::is_void_v<Result>) {
          work_(connection);
        } else {
          result_ = work_(connection);
        }
        return true;
      } catch (...) {
        error_ = std::current_exception();
        return false;
      }
    }
    void fail(std::exception_ptr error) override {
      if (!error_) error_ = std::move(error);
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
    std::exception_ptr error_;
    [[no_unique_address]] std::conditional_t<std::is_void_v<Result>, std::monostate, Result> result_{};
  };

  void enqueue(std::unique_ptr<WriteJob> job);
  void run_queued_writes();  // on the writer thread

  std::mutex queue_mutex_;
  std::vector<std::unique_ptr<WriteJob>> queued_writes_;
  bool writer_scheduled_ = false;

  std::string temporary_path_;  // set when ":memory:" was asked for (see database.cpp); declared first
  ConnectionOptions options_;
  std::uint64_t identity_;
  std::unique_ptr<Connection> writer_;
  boost::asio::io_context writer_context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> writer_work_;
  std::thread writer_thread_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

}  // namespace tachyon::db
