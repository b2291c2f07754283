#include "support/postgres_server.hpp"

#include "support/child_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

const std::string kBinaries = "/usr/lib/postgresql/15/bin/";

// Whom the server and the tools run as: the `postgres` system user when the test runs as root (initdb and
// postgres refuse to run as root), otherwise the test's own user (nullopt).
const std::optional<ChildUser>& postgres_user() {
  static const std::optional<ChildUser> user = []() -> std::optional<ChildUser> {
    if (::geteuid() != 0) return std::nullopt;
    passwd* entry = ::getpwnam("postgres");
    if (entry == nullptr)
      throw std::runtime_error("running as root, and there is no `postgres` user to run PostgreSQL");
    ChildUser found{entry->pw_uid, entry->pw_gid, std::vector<gid_t>(64)};
    int count = static_cast<int>(found.groups.size());
    if (::getgrouplist("postgres", entry->pw_gid, found.groups.data(), &count) < 0) count = 0;
    found.groups.resize(static_cast<std::size_t>(count));
    return found;
  }();
  return user;
}

// `arguments` (arguments[0] an absolute path; no shell) as the postgres user. The child switches user
// itself rather than through `runuser`, which forks and waits: PR_SET_PDEATHSIG on runuser would kill
// runuser, not the postmaster.
ChildSpec postgres_child(const std::vector<std::string>& arguments) {
  ChildSpec spec;
  spec.arguments = arguments;
  spec.user = postgres_user();
  spec.death_signal = SIGKILL;  // a test process that crashes takes its server with it
  spec.working_directory = "/";
  return spec;
}

struct ToolRun {
  int exit_code = -1;  // -1 when a signal ended it
  std::string output;
  std::string errors;
};

// Runs a tool to completion with `input` on its stdin; throws when it has not finished within `timeout`.
ToolRun run_tool(const std::vector<std::string>& arguments, const std::string& input = "",
                 std::chrono::milliseconds timeout = 30s) {
  ChildRun run = run_child(postgres_child(arguments), input, timeout);
  if (run.timed_out) {
    throw std::runtime_error(arguments[0] + " did not finish within " + std::to_string(timeout.count()) +
                             " ms; its threads:\n" + run.state_at_timeout);
  }
  return {run.exit_code < 0 ? -1 : run.exit_code, std::move(run.standard_output), std::move(run.standard_error)};
}

std::string trimmed(const std::string& text) {
  const char* blanks = " \t\r\n";
  std::size_t first = text.find_first_not_of(blanks);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

std::string tail_of_file(const std::string& path, std::size_t length = 4000) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return text.size() > length ? text.substr(text.size() - length) : text;
}

std::uint16_t free_loopback_port() {
  int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(probe);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(probe);
  return ntohs(address.sin_port);
}

std::string tachyon_url(std::uint16_t port) {
  return "postgresql://tachyon@127.0.0.1:" + std::to_string(port) + "/tachyon";
}
// The superuser, for what the harness does itself (roles, replay control, WAL positions).
std::string superuser_url(std::uint16_t port) {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres";
}

ToolRun run_psql(const std::string& url, const std::string& sql) {
  return run_tool({kBinaries + "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"}, sql);
}

std::string psql_or_throw(const std::string& url, const std::string& sql) {
  ToolRun run = run_psql(url, sql);
  if (run.exit_code != 0) {
    throw std::runtime_error("psql on " + url + " failed (exit " + std::to_string(run.exit_code) + "): " + run.errors);
  }
  return trimmed(run.output);
}

std::optional<std::string> psql_if_it_succeeds(const std::string& url, const std::string& sql) {
  ToolRun run = run_psql(url, sql);
  if (run.exit_code != 0) return std::nullopt;
  return trimmed(run.output);
}

// Starts the cluster, on other ports while the one picked turns out to be taken.
void start_on_a_free_port(PostgresCluster& cluster) {
  for (int attempt = 1;; ++attempt) {
    try {
      cluster.start();
      return;
    } catch (const std::runtime_error& failure) {
      if (attempt == 3 || std::string(failure.what()).find("Address already in use") == std::string::npos) throw;
      cluster.choose_another_port();
    }
  }
}

// The data directory of a new primary: trust on the unix socket and 127.0.0.1 (replication too), and
// settings for tests: durability off, WAL for streaming standbys, little memory.
void initialise_data_directory(const PostgresCluster& cluster) {
  std::string data = cluster.data_directory();
  ToolRun initdb = run_tool({kBinaries + "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                             "--locale=C", "--no-sync", "--no-instructions"},
                            "", 60s);
  if (initdb.exit_code != 0) throw std::runtime_error("initdb failed: " + initdb.errors + initdb.output);
  std::ofstream(data + "/pg_hba.conf", std::ios::trunc) << "local all all trust\n"
                                                           "host all all 127.0.0.1/32 trust\n"
                                                           "local replication all trust\n"
                                                           "host replication all 127.0.0.1/32 trust\n";
  std::ofstream(data + "/postgresql.conf", std::ios::app) << "\n# tachyon::testing::PostgresServer\n"
                                                             "fsync = off\n"
                                                             "synchronous_commit = off\n"
                                                             "full_page_writes = off\n"
                                                             "max_connections = 100\n"
                                                             "shared_buffers = 16MB\n"
                                                             "wal_level = replica\n"
                                                             "max_wal_senders = 4\n"
                                                             "hot_standby = on\n";
}

// Where the primary's WAL ends, as of now, once it is all on disk and so can be streamed. With
// synchronous_commit=off a commit returns before its WAL is written, and pg_current_wal_lsn() (the write
// position) can stop short of it. A transaction that writes WAL (a logical decoding message, which no
// table sees) and commits synchronously flushes everything before it.
std::string primary_wal_end(const PostgresServer& primary) {
  return psql_or_throw(superuser_url(primary.port()),
                       "SET synchronous_commit = on;\n"
                       "DO $$ BEGIN PERFORM pg_logical_emit_message(true, 'tachyon.testing', 'flush'); END $$;\n"
                       "SELECT pg_current_wal_flush_lsn();\n");
}

// True when the standby's `lsn_function` (pg_last_wal_replay_lsn or pg_last_wal_receive_lsn) reaches the
// end of the primary's WAL as of the call within `timeout`.
bool standby_reaches_primary(std::uint16_t standby_port, const char* lsn_function, const PostgresServer& primary,
                             std::chrono::milliseconds timeout) {
  std::string target = primary_wal_end(primary);
  std::string reached = "SELECT coalesce(" + std::string(lsn_function) + "() >= '" + target + "'::pg_lsn, false)";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    if (psql_if_it_succeeds(superuser_url(standby_port), reached) == "t") return true;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace

PostgresCluster::PostgresCluster() : port_(free_loopback_port()) {
  char pattern[] = "/tmp/tachyon_postgres_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  if (const std::optional<ChildUser>& user = postgres_user(); user && ::chown(pattern, user->uid, user->gid) != 0) {
    std::filesystem::remove_all(directory_);
    throw std::runtime_error("cannot hand " + directory_ + " to the postgres user");
  }
}

PostgresCluster::~PostgresCluster() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void PostgresCluster::choose_another_port() {
  port_ = free_loopback_port();
}

void PostgresCluster::start() {
  if (running()) return;
  std::string log_path = directory_ + "/postgres.log";
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int nothing = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::string port = std::to_string(port_);
  ChildSpec postgres = postgres_child({kBinaries + "postgres", "-D", data_directory(), "-p", port, "-c",
                                       "listen_addresses=127.0.0.1", "-k", directory_});
  postgres.standard_input = nothing;
  postgres.standard_output = postgres.standard_error = log;
  pid_ = start_child(postgres);
  ::close(log);
  ::close(nothing);
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("postgres exited at start on port " + port + "; its log:\n" + tail_of_file(log_path));
    }
    if (run_tool({kBinaries + "pg_isready", "-q", "-h", "127.0.0.1", "-p", port, "-t", "1"}).exit_code == 0) return;
    std::this_thread::sleep_for(20ms);
  }
  stop();
  throw std::runtime_error("postgres did not accept connections on 127.0.0.1:" + port + " within 30 s; its log:\n" +
                           tail_of_file(log_path));
}

void PostgresCluster::stop() {
  if (pid_ <= 0) return;
  // Fast shutdown: the postmaster ends the sessions, checkpoints, and exits after its children.
  for (auto [signal_number, patience] : {std::pair{SIGINT, 30s}, std::pair{SIGQUIT, 5s}, std::pair{SIGKILL, 5s}}) {
    ::kill(pid_, signal_number);
    if (wait_for_child(pid_, patience)) break;
  }
  pid_ = -1;
}

bool PostgresCluster::running() const {
  if (pid_ <= 0) return false;
  siginfo_t exited{};
  return ::waitid(P_PID, static_cast<id_t>(pid_), &exited, WEXITED | WNOHANG | WNOWAIT) == 0 && exited.si_pid == 0;
}

bool PostgresServer::available() {
  for (const char* tool : {"initdb", "postgres", "pg_isready", "psql", "pg_basebackup"}) {
    if (::access((kBinaries + tool).c_str(), X_OK) != 0) return false;
  }
  return ::geteuid() != 0 || ::getpwnam("postgres") != nullptr;
}

PostgresServer::PostgresServer() {
  initialise_data_directory(cluster_);
  start_on_a_free_port(cluster_);
  psql_or_throw(superuser_url(port()), "CREATE ROLE tachyon LOGIN;\nCREATE DATABASE tachyon OWNER tachyon;\n");
}

std::string PostgresServer::url() const {
  return tachyon_url(port());
}

std::string PostgresServer::psql(const std::string& sql) const {
  return psql_or_throw(url(), sql);
}

std::optional<std::string> PostgresServer::try_psql(const std::string& sql) const {
  return psql_if_it_succeeds(url(), sql);
}

PostgresReplica::PostgresReplica(const PostgresServer& primary) {
  ToolRun backup = run_tool({kBinaries + "pg_basebackup", "-d", superuser_url(primary.port()), "-D",
                             cluster_.data_directory(), "-R", "-X", "stream", "-c", "fast", "--no-sync"},
                            "", 60s);
  if (backup.exit_code != 0) throw std::runtime_error("pg_basebackup failed: " + backup.errors + backup.output);
  start_on_a_free_port(cluster_);
}

std::string PostgresReplica::url() const {
  return tachyon_url(port());
}

std::string PostgresReplica::psql(const std::string& sql) const {
  return psql_or_throw(url(), sql);
}

std::optional<std::string> PostgresReplica::try_psql(const std::string& sql) const {
  return psql_if_it_succeeds(url(), sql);
}

void PostgresReplica::pause_replay() const {
  psql_or_throw(superuser_url(port()), "SELECT pg_wal_replay_pause()");
}

void PostgresReplica::resume_replay() const {
  psql_or_throw(superuser_url(port()), "SELECT pg_wal_replay_resume()");
}

bool PostgresReplica::wait_caught_up(const PostgresServer& primary, std::chrono::milliseconds timeout) const {
  return standby_reaches_primary(port(), "pg_last_wal_replay_lsn", primary, timeout);
}

bool PostgresReplica::wait_received(const PostgresServer& primary, std::chrono::milliseconds timeout) const {
  return standby_reaches_primary(port(), "pg_last_wal_receive_lsn", primary, timeout);
}

}  // namespace tachyon::testing
