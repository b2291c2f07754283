// SQLite's engine: reads answer inline on one read-only connection per thread (opened on first use);
// writes from every loop queue for the one writer connection on its own thread, which group-commits
// them (each in a savepoint of one transaction). WAL makes every committed write visible to the very
// next read on any connection.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/db/database_engine.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::db {

class SqliteEngine final : public DatabaseEngine {
 public:
  explicit SqliteEngine(const ConnectionOptions& options);
  ~SqliteEngine() override;

  Connection* inline_reader() override;
  void submit_read(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_write(std::unique_ptr<DatabaseJob> job, std::string_view caller) override;
  void submit_direct(std::unique_ptr<DatabaseJob> job) override;

 private:
  void run_queued_writes();  // on the writer thread

  std::string temporary_path_;  // set when ":memory:" was asked for (see sqlite_engine.cpp); declared first
  ConnectionOptions options_;
  std::uint64_t identity_;
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex queue_mutex_;
  std::vector<std::unique_ptr<DatabaseJob>> queued_writes_;
  bool writer_scheduled_ = false;
  boost::asio::io_context writer_context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> writer_work_;
  std::thread writer_thread_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
};

}  // namespace tachyon::db
