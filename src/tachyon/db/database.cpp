#include "tachyon/db/database.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <unistd.h>

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
  if (descriptor < 0) throw DatabaseError(0, "cannot create a temporary file for the in-memory database in " + pattern);
  ::close(descriptor);
  temporary_path = pattern;
  options.path = pattern;
  return options;
}
}  // namespace

Database::Database(ConnectionOptions options)
    : options_(resolve_memory_path(options, temporary_path_)),
      identity_(next_identity.fetch_add(1)),
      writer_(std::make_unique<Connection>(options_)),
      writer_work_(boost::asio::make_work_guard(writer_context_)),
      writer_thread_([this] { writer_context_.run(); }) {}

Database::~Database() {
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

Connection& Database::reader() {
  for (const ThreadReader& entry : thread_readers) {
    if (entry.database_identity == identity_) return *entry.connection;
  }
  ConnectionOptions read_options = options_;
  read_options.read_only = true;
  auto connection = std::make_unique<Connection>(read_options);
  Connection* raw = connection.get();
  {
    std::lock_guard lock(readers_mutex_);
    readers_.push_back(std::move(connection));
  }
  thread_readers.push_back(ThreadReader{identity_, raw});
  return *raw;
}

}  // namespace tachyon::db
