// PostgreSQL reads on an event loop (db/postgres_pipeline.hpp), on a real PostgreSQL 15: concurrent reads
// of one loop share one connection and its round trips, and each gets its own answer; an error fails only
// the read that caused it; with pipelining off one statement is in flight at a time; a connection that
// died with a server restart is replaced without failing a read; a server that stops answering fails the
// reads in flight with a timeout instead of holding them.
#include <gtest/gtest.h>

#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.hpp"
#include "support/postgres_database_fixture.hpp"
#include "tachyon/db/database.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::db {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

class PostgresPipeline : public testing::PostgresDatabaseFixture {};

// One read's outcome: the backend's pid, the doubled input, or the error.
struct ReadOutcome {
  std::int64_t backend = 0;
  std::int64_t doubled = 0;
  std::string error;
};

// Runs `inputs.size()` reads at once on `loop`, each `SELECT pg_backend_pid(), ? * 2` (or `sql` when
// given for that input: -1 there means "divide by zero"), and returns their outcomes in input order.
std::vector<ReadOutcome> concurrent_reads(Database& database, asio::io_context& loop,
                                          const std::vector<std::int64_t>& inputs) {
  std::vector<ReadOutcome> outcomes(inputs.size());
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    asio::co_spawn(
        loop,
        [&, index]() -> asio::awaitable<void> {
          std::int64_t input = inputs[index];
          auto work = [input](Connection& connection) {
            Statement statement = connection.prepare(input < 0 ? "SELECT pg_backend_pid(), 1 / (? + 1)"
                                                               : "SELECT pg_backend_pid(), ? * 2");
            statement.bind(1, input);
            if (!statement.step()) throw std::runtime_error("no row");
            return std::pair{statement.integer(0), statement.integer(1)};
          };
          try {
            auto [backend, doubled] = co_await database.read(std::move(work));
            outcomes[index].backend = backend;
            outcomes[index].doubled = doubled;
          } catch (const std::exception& error) {
            outcomes[index].error = error.what();
          }
        },
        asio::detached);
  }
  loop.restart();
  loop.run();
  return outcomes;
}

// The sum and count of tachyon_db_pipeline_depth{pool="primary"} so far.
std::pair<double, std::uint64_t> pipeline_depth() {
  for (const observe::FamilySnapshot& family : observe::default_registry().snapshot()) {
    if (family.name != "tachyon_db_pipeline_depth") continue;
    for (const observe::SeriesSnapshot& series : family.series) {
      if (series.label_values == std::vector<std::string>{"primary"}) return {series.sum, series.count};
    }
  }
  return {0, 0};
}

// A PostgreSQL backend stopped with SIGSTOP: it answers nothing, not even its statement timeout. Only
// SIGCONT or SIGKILL reach a stopped process, so a stopped backend would outlive its server if the test
// died first. A guard process (killed with the test: PR_SET_PDEATHSIG) does the stopping after its trap
// is set, and thaws the backend when it is told to end or when the test process dies.
class FrozenBackend {
 public:
  explicit FrozenBackend(pid_t backend) : backend_(backend) {
    const std::string pid = std::to_string(backend);
    guard_ = testing::start_child({.arguments = {"/bin/sh", "-c",
                                                 "trap 'kill -CONT " + pid + "; exit 0' TERM; kill -STOP " + pid +
                                                     "; while :; do sleep 0.1; done"},
                                   .death_signal = SIGTERM});
    for (int wait = 0; wait < 200 && !stopped(); ++wait) std::this_thread::sleep_for(10ms);
  }
  ~FrozenBackend() {
    ::kill(guard_, SIGTERM);
    if (!testing::wait_for_child(guard_, 5s)) ::kill(guard_, SIGKILL);
    ::kill(backend_, SIGCONT);
  }
  FrozenBackend(const FrozenBackend&) = delete;
  FrozenBackend& operator=(const FrozenBackend&) = delete;

  // True while the backend is stopped (state T in /proc/PID/stat).
  bool stopped() const {
    std::ifstream stat("/proc/" + std::to_string(backend_) + "/stat");
    std::string line;
    std::getline(stat, line);
    std::size_t name_end = line.rfind(')');
    return name_end != std::string::npos && name_end + 2 < line.size() && line[name_end + 2] == 'T';
  }

 private:
  pid_t backend_;
  pid_t guard_ = -1;
};

std::vector<std::int64_t> one_to(int count) {
  std::vector<std::int64_t> inputs;
  for (int input = 1; input <= count; ++input) inputs.push_back(input);
  return inputs;
}

TEST_F(PostgresPipeline, ConcurrentReadsOfOneLoopShareOneConnectionAndEachGetsItsOwnAnswer) {
  auto database = open();
  asio::io_context loop;
  auto [sum_before, count_before] = pipeline_depth();
  std::vector<ReadOutcome> outcomes = concurrent_reads(*database, loop, one_to(24));
  std::set<std::int64_t> backends;
  for (std::size_t index = 0; index < outcomes.size(); ++index) {
    EXPECT_EQ(outcomes[index].error, "") << "read " << index;
    EXPECT_EQ(outcomes[index].doubled, 2 * static_cast<std::int64_t>(index + 1)) << "read " << index;
    backends.insert(outcomes[index].backend);
  }
  EXPECT_EQ(backends.size(), 1u) << "one connection for the loop";
  auto [sum_after, count_after] = pipeline_depth();
  EXPECT_GE(count_after - count_before, 24u) << "every statement went through the pipeline";
  EXPECT_GT(sum_after - sum_before, 0) << "some statements were sent while others were in flight";
}

TEST_F(PostgresPipeline, AnErrorFailsOnlyTheReadThatCausedIt) {
  auto database = open();
  asio::io_context loop;
  std::vector<std::int64_t> inputs = one_to(10);
  inputs[4] = -1;  // 1 / 0
  std::vector<ReadOutcome> outcomes = concurrent_reads(*database, loop, inputs);
  for (std::size_t index = 0; index < outcomes.size(); ++index) {
    if (index == 4) {
      EXPECT_NE(outcomes[index].error.find("division by zero"), std::string::npos) << outcomes[index].error;
    } else {
      EXPECT_EQ(outcomes[index].error, "") << "read " << index;
      EXPECT_EQ(outcomes[index].doubled, 2 * inputs[index]);
    }
  }
  EXPECT_EQ(concurrent_reads(*database, loop, {21})[0].doubled, 42) << "the connection goes on";
}

TEST_F(PostgresPipeline, WithPipeliningOffOneStatementIsInFlightAtATime) {
  auto database = open({.pipelining = false});
  asio::io_context loop;
  auto [sum_before, count_before] = pipeline_depth();
  std::vector<ReadOutcome> outcomes = concurrent_reads(*database, loop, one_to(12));
  for (std::size_t index = 0; index < outcomes.size(); ++index) {
    EXPECT_EQ(outcomes[index].error, "");
    EXPECT_EQ(outcomes[index].doubled, 2 * static_cast<std::int64_t>(index + 1));
  }
  auto [sum_after, count_after] = pipeline_depth();
  EXPECT_GE(count_after - count_before, 12u);
  EXPECT_EQ(sum_after - sum_before, 0) << "nothing was sent while another statement was in flight";
}

TEST_F(PostgresPipeline, AConnectionThatDiedWithARestartIsReplacedWithoutFailingARead) {
  auto database = open();
  asio::io_context loop;
  std::int64_t first_backend = concurrent_reads(*database, loop, {1})[0].backend;
  ASSERT_NE(first_backend, 0);
  server_->stop();
  server_->start();
  std::vector<ReadOutcome> outcomes = concurrent_reads(*database, loop, one_to(12));
  for (const ReadOutcome& outcome : outcomes) {
    EXPECT_EQ(outcome.error, "");
    EXPECT_NE(outcome.backend, first_backend);
  }
}

TEST_F(PostgresPipeline, AServerThatStopsAnsweringFailsTheReadsInFlightWithATimeout) {
  auto database = open({.statement_timeout = 300ms, .connect_timeout = 300ms});
  asio::io_context loop;
  std::int64_t backend = concurrent_reads(*database, loop, {1})[0].backend;
  ASSERT_GT(backend, 0);
  std::vector<ReadOutcome> outcomes;
  std::chrono::steady_clock::duration waited{};
  {
    FrozenBackend frozen(static_cast<pid_t>(backend));
    ASSERT_TRUE(frozen.stopped());
    const auto started = std::chrono::steady_clock::now();
    outcomes = concurrent_reads(*database, loop, one_to(3));
    waited = std::chrono::steady_clock::now() - started;
  }
  for (const ReadOutcome& outcome : outcomes) {
    EXPECT_NE(outcome.error.find("did not answer within 600 ms"), std::string::npos) << outcome.error;
  }
  EXPECT_LT(waited, 5s);
  EXPECT_EQ(concurrent_reads(*database, loop, {4})[0].doubled, 8) << "a new connection answers";
}

}  // namespace
}  // namespace tachyon::db
