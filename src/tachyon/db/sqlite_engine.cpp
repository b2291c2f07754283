#include "tachyon/db/sqlite_engine.hpp"

#include <boost/asio/post.hpp>

#include <atomic>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include "tachyon/db/database_metrics.hpp"

namespace tachyon::db {

namespace {
std::atomic<std::uint64_t> next_identity{1};

struct ThreadReader {
  std::uint64_t database_identity;
  Connection* connection;
};
thread_local std::vector<ThreadReader> thread_readers;

// SQLite's ":memory:" database is private to one connection, but the server reads on every loop
// while the writer thread writes. So ":memory:" becomes a private temporary file, deleted at the end:
// the same throwaway semantics, with WAL and one connection per thread.
ConnectionOptions resolve_memory_path(const ConnectionOptions& requested, std::string& temporary_path) {
  ConnectionOptions options = requested;
  if (options.path != ":memory:") return options;
  const char* directory = std::getenv("TMPDIR");
  std::string pattern = std::string(directory && *directory ? directory : "/tmp") + "/tachyon-memory-XXXXXX";
  int descriptor = ::mkstemp(pattern.data());
  if (descriptor < 0)
    throw DatabaseError(ErrorClass::unavailable, 0,
                        "cannot create a temporary file for the in-memory database in " + pattern);
  ::close(descriptor);
  temporary_path = pattern;
  options.path = pattern;
  return options;
}
}  // namespace

SqliteEngine::SqliteEngine(const ConnectionOptions& options)
    : options_(resolve_memory_path(options, temporary_path_)),
      identity_(next_identity.fetch_add(1)),
      writer_(std::make_unique<SqliteConnection>(options_)),
      writer_work_(boost::asio::make_work_guard(writer_context_)),
      writer_thread_([this] { writer_context_.run(); }) {}

SqliteEngine::~SqliteEngine() {
  writer_work_.reset();
  writer_context_.stop();
  writer_thread_.join();
  readers_.clear();
  writer_.reset();
  if (!temporary_path_.empty()) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(temporary_path_ + suffix, ignored);
  }
}

void SqliteEngine::submit_read(std::unique_ptr<DatabaseJob> job, std::string_view /*caller*/) {
  job->run(*inline_reader());
  job->complete();
}

void SqliteEngine::submit_direct(std::unique_ptr<DatabaseJob> job) {
  boost::asio::post(writer_context_, [this, job = std::move(job)] {
    job->run(*writer_);
    job->complete();
  });
}

void SqliteEngine::submit_write(std::unique_ptr<DatabaseJob> job, std::string_view /*caller*/) {
  bool schedule = false;
  {
    std::lock_guard lock(queue_mutex_);
    queued_writes_.push_back(std::move(job));
    schedule = !writer_scheduled_;
    writer_scheduled_ = true;
  }
  if (schedule) boost::asio::post(writer_context_, [this] { run_queued_writes(); });
}

// Group commit: everything queued so far in one transaction, one savepoint per write. A commit per
// write costs a WAL append and lock round trip each; under load a group of N writes pays it once.
void SqliteEngine::run_queued_writes() {
  std::vector<std::unique_ptr<DatabaseJob>> group;
  {
    std::lock_guard lock(queue_mutex_);
    group.swap(queued_writes_);
    writer_scheduled_ = false;
  }
  if (group.empty()) return;
  database_metrics().group_commit_writes.observe(static_cast<double>(group.size()));
  std::exception_ptr commit_error;
  try {
    writer_->execute_script("BEGIN IMMEDIATE");
    for (const auto& job : group) {
      writer_->execute_script("SAVEPOINT write_job");
      bool succeeded = job->run(*writer_);
      writer_->execute_script(succeeded ? "RELEASE write_job" : "ROLLBACK TO write_job; RELEASE write_job");
    }
    writer_->execute_script("COMMIT");
  } catch (...) {
    commit_error = std::current_exception();
    try {
      if (writer_->in_transaction()) writer_->execute_script("ROLLBACK");
    } catch (...) {
    }
  }
  for (const auto& job : group) {
    if (commit_error) job->fail(commit_error);
    job->complete();
  }
}

Connection* SqliteEngine::inline_reader() {
  for (const ThreadReader& entry : thread_readers) {
    if (entry.database_identity == identity_) return entry.connection;
  }
  ConnectionOptions read_options = options_;
  read_options.read_only = true;
  auto connection = std::make_unique<SqliteConnection>(read_options);
  Connection* raw = connection.get();
  {
    std::lock_guard lock(readers_mutex_);
    readers_.push_back(std::move(connection));
  }
  thread_readers.push_back(ThreadReader{identity_, raw});
  return raw;
}

}  // namespace tachyon::db
