// The PostgreSQL test harness (tests/support/postgres_server): a server that answers over TCP on the port
// its URL names, keeps its data across stop and start, feeds a hot standby whose replay can be paused, and
// leaves no process or directory behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/postgres_server.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::vector<int> all_processes() {
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(std::stoi(name));
  }
  return pids;
}

// Processes whose command line (arguments joined by NUL) contains `text`: the postmaster names its data
// directory with -D; its children rewrite theirs ("postgres: checkpointer") and are found by parent.
std::vector<int> processes_naming(const std::string& text) {
  std::vector<int> found;
  for (int pid : all_processes()) {
    if (read_file("/proc/" + std::to_string(pid) + "/cmdline").find(text) != std::string::npos) found.push_back(pid);
  }
  return found;
}

int parent_of(int pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::size_t after_name = stat.rfind(')');
  if (after_name == std::string::npos) return -1;
  return std::stoi(stat.substr(after_name + 4));  // ") S PPID ..."
}

std::vector<int> children_of(int parent) {
  std::vector<int> children;
  for (int pid : all_processes())
    if (parent_of(pid) == parent) children.push_back(pid);
  return children;
}

// The postmaster's command line starts with its path, its children's with "postgres: ".
bool is_postgres_process(int pid) {
  std::string command_line = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  return command_line.starts_with("postgres") || command_line.find("/bin/postgres") != std::string::npos;
}

class PostgresServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::available()) GTEST_SKIP() << "PostgreSQL 15 is not installed (scripts/install-deps.sh test)";
  }
};

TEST_F(PostgresServerTest, AnswersOverTcpOnTheUrlsPort) {
  PostgresServer server;
  ASSERT_TRUE(server.running());
  EXPECT_EQ(server.url(), "postgresql://tachyon@127.0.0.1:" + std::to_string(server.port()) + "/tachyon");
  // inet_server_addr() is NULL over a unix socket: these answers come over TCP, on the URL's port.
  EXPECT_EQ(server.psql("SELECT inet_server_addr(), inet_server_port(), current_user, current_database()"),
            "127.0.0.1|" + std::to_string(server.port()) + "|tachyon|tachyon");
  EXPECT_EQ(server.psql("SHOW listen_addresses"), "127.0.0.1");
  EXPECT_EQ(server.psql("SELECT 1 + 1"), "2");
}

TEST_F(PostgresServerTest, ReportsSqlErrorsWithPsqlsMessage) {
  PostgresServer server;
  EXPECT_EQ(server.try_psql("SELECT * FROM no_such_table"), std::nullopt);
  try {
    server.psql("SELECT * FROM no_such_table");
    FAIL() << "psql() did not throw";
  } catch (const std::runtime_error& failure) {
    EXPECT_NE(std::string(failure.what()).find("relation \"no_such_table\" does not exist"), std::string::npos)
        << failure.what();
  }
  // Statements run one after another; the rows of the last one come back, command tags do not.
  EXPECT_EQ(server.psql("CREATE TABLE t (v int);\nINSERT INTO t VALUES (1), (2);\nSELECT v FROM t ORDER BY v;"),
            "1\n2");
}

TEST_F(PostgresServerTest, StopThenStartKeepsDataAndPort) {
  PostgresServer server;
  server.psql("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('before the restart');");
  std::uint16_t port = server.port();

  server.stop();
  EXPECT_FALSE(server.running());
  EXPECT_EQ(server.try_psql("SELECT 1"), std::nullopt);

  server.start();
  EXPECT_TRUE(server.running());
  EXPECT_EQ(server.port(), port);
  EXPECT_EQ(server.psql("SELECT v FROM kept"), "before the restart");
}

TEST_F(PostgresServerTest, ReplicaReceivesWritesAndHoldsThemBackWhileReplayIsPaused) {
  PostgresServer primary;
  primary.psql("CREATE TABLE items (v int); INSERT INTO items VALUES (1);");
  PostgresReplica replica(primary);
  EXPECT_NE(replica.port(), primary.port());
  EXPECT_EQ(replica.url(), "postgresql://tachyon@127.0.0.1:" + std::to_string(replica.port()) + "/tachyon");
  EXPECT_EQ(replica.psql("SELECT pg_is_in_recovery()"), "t");

  primary.psql("INSERT INTO items VALUES (2);");
  ASSERT_TRUE(replica.wait_caught_up(primary, 20s));
  EXPECT_EQ(replica.psql("SELECT string_agg(v::text, ',' ORDER BY v) FROM items"), "1,2");

  replica.pause_replay();
  primary.psql("INSERT INTO items VALUES (3);");
  ASSERT_TRUE(replica.wait_received(primary, 20s));
  EXPECT_EQ(replica.psql("SELECT string_agg(v::text, ',' ORDER BY v) FROM items"), "1,2");

  replica.resume_replay();
  ASSERT_TRUE(replica.wait_caught_up(primary, 20s));
  EXPECT_EQ(replica.psql("SELECT string_agg(v::text, ',' ORDER BY v) FROM items"), "1,2,3");
  EXPECT_EQ(replica.try_psql("INSERT INTO items VALUES (4)"), std::nullopt);  // a standby is read-only
}

TEST_F(PostgresServerTest, DestructorLeavesNoProcessAndNoDirectory) {
  auto primary = std::make_unique<PostgresServer>();
  auto replica = std::make_unique<PostgresReplica>(*primary);
  std::vector<std::string> directories = {primary->directory(), replica->directory()};
  std::vector<int> started;
  for (const std::string& directory : directories) {
    std::vector<int> postmasters = processes_naming(directory + "/data");
    ASSERT_EQ(postmasters.size(), 1u) << directory;
    std::vector<int> children = children_of(postmasters[0]);
    EXPECT_GE(children.size(), 3u) << "checkpointer, background writer, ... under " << postmasters[0];
    started.push_back(postmasters[0]);
    started.insert(started.end(), children.begin(), children.end());
  }

  replica.reset();
  primary.reset();

  for (const std::string& directory : directories) {
    EXPECT_TRUE(processes_naming(directory).empty()) << directory;
    EXPECT_FALSE(std::filesystem::exists(directory)) << directory;
  }
  for (int pid : started) EXPECT_FALSE(is_postgres_process(pid)) << "process " << pid << " is still there";
}

}  // namespace
}  // namespace tachyon::testing
