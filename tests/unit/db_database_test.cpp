// Database: writes from many coroutines are group-committed on the writer thread; a write that throws
// rolls back alone, the others in its group commit; results and errors reach each caller; a committed
// write is visible to the next read on a reader connection; ":memory:" leaves no file behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/db/database.hpp"

namespace tachyon::db {
namespace {

namespace asio = boost::asio;

struct TemporaryDatabase {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("tachyon-db-test-" + std::to_string(::getpid()) + ".db");
  ~TemporaryDatabase() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

std::int64_t count(Connection& connection, const char* sql) {
  Statement statement = connection.prepare(sql);
  statement.step();
  return statement.integer(0);
}

TEST(Database, ConcurrentWritesCommitTogetherAndAFailingOneRollsBackAlone) {
  TemporaryDatabase file;
  Database database(ConnectionOptions{.path = file.path.string()});
  database.write_blocking([](Connection& connection) {
    connection.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  });

  asio::io_context loop;
  constexpr int writers = 50;
  std::vector<std::int64_t> ids(writers, 0);
  std::vector<std::string> errors(writers);
  for (int index = 0; index < writers; ++index) {
    asio::co_spawn(
        loop,
        [&, index]() -> asio::awaitable<void> {
          auto insert = [index](Connection& connection) {
            std::int64_t id = connection.prepare("INSERT INTO notes (text) VALUES (?) RETURNING id")
                                  .bind(1, std::to_string(index))
                                  .run_returning_id();
            // Every seventh write fails after its insert: its row must not survive.
            if (index % 7 == 3) throw std::runtime_error("refused " + std::to_string(index));
            return id;
          };
          try {
            ids[index] = co_await database.write(std::move(insert));
          } catch (const std::exception& error) {
            errors[index] = error.what();
          }
        },
        asio::detached);
  }
  loop.run();

  int failed = 0;
  for (int index = 0; index < writers; ++index) {
    if (index % 7 == 3) {
      EXPECT_EQ(errors[index], "refused " + std::to_string(index));
      ++failed;
    } else {
      EXPECT_GT(ids[index], 0) << errors[index];
    }
  }
  database.read_blocking([&](Connection& reader) {
    EXPECT_EQ(count(reader, "SELECT COUNT(*) FROM notes"), writers - failed);
    EXPECT_EQ(count(reader, "SELECT COUNT(*) FROM notes WHERE CAST(text AS INTEGER) % 7 = 3"), 0);
  });
}

// `sql`'s single integer, read through the database's read path.
std::int64_t count_read(Database& database, const char* sql) {
  return database.read_blocking([sql](Connection& reader) { return count(reader, sql); });
}

TEST(Database, ConstraintErrorReachesTheCallerAndNestedTransactionsBecomeSavepoints) {
  TemporaryDatabase file;
  Database database(ConnectionOptions{.path = file.path.string()});
  database.write_blocking([](Connection& connection) {
    connection.execute_script("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  });
  asio::io_context loop;
  std::string outcome;
  asio::co_spawn(
      loop,
      [&]() -> asio::awaitable<void> {
        auto first = [](Connection& connection) {
          connection.transaction([&] { connection.prepare("INSERT INTO notes (text) VALUES ('a')").run(); });
        };
        co_await database.write(std::move(first));
        auto duplicate = [](Connection& connection) {
          connection.transaction([&] {
            connection.prepare("INSERT INTO notes (text) VALUES ('b')").run();
            connection.prepare("INSERT INTO notes (text) VALUES ('a')").run();  // UNIQUE violation
          });
        };
        try {
          co_await database.write(std::move(duplicate));
          outcome = "no error";
        } catch (const DatabaseError& error) {
          outcome = error.error_class() == db::ErrorClass::unique_violation ? "unique violation" : error.what();
        }
      },
      asio::detached);
  loop.run();
  EXPECT_EQ(outcome, "unique violation");
  EXPECT_EQ(count_read(database, "SELECT COUNT(*) FROM notes"), 1) << "'b' must be rolled back with its write";
}

TEST(Database, MemoryDatabaseIsSharedByReadersAndRemovedAtTheEnd) {
  std::string path;
  {
    Database database(ConnectionOptions{.path = ":memory:"});
    path = database.read_blocking([](Connection& reader) { return std::string(reader.describe()); });
    EXPECT_NE(path, ":memory:");
    EXPECT_TRUE(std::filesystem::exists(path));
    database.write_blocking([](Connection& connection) {
      connection.execute_script("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (42);");
    });
    EXPECT_EQ(count_read(database, "SELECT x FROM t"), 42);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

}  // namespace
}  // namespace tachyon::db
