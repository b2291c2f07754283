// The database a service uses from its event loops: one read connection per event-loop thread
// (reads run inline: indexed lookups take microseconds) and one writer connection on its own thread,
// so writes are serialized without ever blocking a loop. SQLite in WAL mode makes every committed
// write visible to the very next read on any connection.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::db {

class Database {
 public:
  explicit Database(ConnectionOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // This thread's read connection, opened on first use.
  Connection& reader();

  // Runs `work(Connection&)` on the writer thread and resumes the caller on its own executor with the
  // result (exceptions propagate). Writes from all loops queue here, one at a time.
  // Not a coroutine itself, and callers pass a named, moved work object: GCC 12 destroys temporaries
  // with non-trivial destructors inside a co_await expression twice (GCC bugs 100611, 101367).
  template <class Work>
  auto write(Work work) -> boost::asio::awaitable<std::invoke_result_t<Work&, Connection&>> {
    using Result = std::invoke_result_t<Work&, Connection&>;
    if constexpr (std::is_void_v<Result>) {
      return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr)>(
          [this](auto handler, Work job) {
            boost::asio::post(writer_context_, [handler = std::move(handler), job = std::move(job), this]() mutable {
              std::exception_ptr error;
              try {
                job(*writer_);
              } catch (...) {
                error = std::current_exception();
              }
              auto executor = boost::asio::get_associated_executor(handler);
              boost::asio::post(executor, [handler = std::move(handler), error]() mutable { handler(error); });
            });
          },
          boost::asio::use_awaitable, std::move(work));
    } else {
      return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, Result)>(
          [this](auto handler, Work job) {
            boost::asio::post(writer_context_, [handler = std::move(handler), job = std::move(job), this]() mutable {
              std::exception_ptr error;
              Result result{};
              try {
                result = job(*writer_);
              } catch (...) {
                error = std::current_exception();
              }
              auto executor = boost::asio::get_associated_executor(handler);
              boost::asio::post(executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
                handler(error, std::move(result));
              });
            });
          },
          boost::asio::use_awaitable, std::move(work));
    }
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
