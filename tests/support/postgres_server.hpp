// Test support: a real PostgreSQL 15 (Debian's binaries in /usr/lib/postgresql/15/bin) for integration
// tests, in a temporary directory of its own on a free loopback port, and hot standbys streaming from it.
// It drives the command-line tools (initdb, postgres, pg_isready, psql, pg_basebackup), not libpq. As root,
// the server and the tools that write its files run as the `postgres` system user. The postmaster is a
// child of the test process and is killed when that dies (PR_SET_PDEATHSIG); the directory goes with
// the object.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tachyon::testing {

// A data directory inside a temporary directory of its own, and the postmaster serving it on one loopback
// port (127.0.0.1 only; its unix socket in the temporary directory). What PostgresServer and PostgresReplica
// share; the postmaster's log is postgres.log in the temporary directory.
class PostgresCluster {
 public:
  // Makes the temporary directory (owned by `postgres` when root) and picks a free port; starts nothing.
  PostgresCluster();
  ~PostgresCluster();  // stops the postmaster, removes the directory
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  const std::string& directory() const { return directory_; }
  std::string data_directory() const { return directory_ + "/data"; }
  std::uint16_t port() const { return port_; }
  // Picks another free port (for a retry when the one picked was taken before the postmaster bound it).
  void choose_another_port();

  // Starts the postmaster in the foreground (no-op when running) and waits until it accepts connections;
  // throws std::runtime_error with its log when it exits or does not accept them within 30 s.
  void start();
  // Fast shutdown (SIGINT), then waits until the postmaster and its children are gone (SIGQUIT after
  // 30 s, SIGKILL after 5 s more).
  void stop();
  bool running() const;

 private:
  std::string directory_;
  std::uint16_t port_ = 0;
  int pid_ = -1;
};

class PostgresServer {
 public:
  // True when the PostgreSQL 15 binaries are installed (and, when root, the `postgres` user exists).
  static bool available();

  // initdb in a fresh temporary directory (trust authentication on the unix socket and 127.0.0.1), starts
  // the postmaster with settings for tests (no fsync, WAL for streaming replicas), then creates the role
  // `tachyon` and its database `tachyon`. Throws std::runtime_error with the tool's output on failure.
  PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::uint16_t port() const { return cluster_.port(); }
  // postgresql://tachyon@127.0.0.1:PORT/tachyon
  std::string url() const;
  // The temporary directory holding the data directory (data/), the unix socket and postgres.log.
  const std::string& directory() const { return cluster_.directory(); }

  void stop() { cluster_.stop(); }    // fast shutdown; waits until the server is gone
  void start() { cluster_.start(); }  // again, on the same data directory and port
  bool running() const { return cluster_.running(); }

  // Runs `sql` with `psql -X -q -A -t -v ON_ERROR_STOP=1` on url() (over TCP); returns its output with
  // surrounding whitespace trimmed (rows on lines, columns separated by |). Throws std::runtime_error
  // with psql's stderr when psql fails, or when it has not finished within 30 s.
  std::string psql(const std::string& sql) const;
  // Same, but nullopt where psql() throws.
  std::optional<std::string> try_psql(const std::string& sql) const;

 private:
  PostgresCluster cluster_;
};

// A hot standby of a PostgresServer: a pg_basebackup -R of it in a temporary directory of its own, started
// on its own free port and streaming from the primary. The role and database `tachyon` come with the copy.
class PostgresReplica {
 public:
  // Throws std::runtime_error when the backup fails or the standby does not accept connections in time.
  explicit PostgresReplica(const PostgresServer& primary);
  PostgresReplica(const PostgresReplica&) = delete;
  PostgresReplica& operator=(const PostgresReplica&) = delete;

  std::uint16_t port() const { return cluster_.port(); }
  std::string url() const;  // postgresql://tachyon@127.0.0.1:PORT/tachyon, read-only
  const std::string& directory() const { return cluster_.directory(); }
  bool running() const { return cluster_.running(); }
  void stop() { cluster_.stop(); }  // fast shutdown; waits until the standby is gone
  void start() { cluster_.start(); }

  // As PostgresServer::psql and try_psql, on this standby.
  std::string psql(const std::string& sql) const;
  std::optional<std::string> try_psql(const std::string& sql) const;

  // pg_wal_replay_pause() / pg_wal_replay_resume(): while paused, WAL keeps arriving but is not applied,
  // so what the primary commits meanwhile is not visible here.
  void pause_replay() const;
  void resume_replay() const;
  // Wait until this standby has replayed (wait_caught_up) or received and flushed (wait_received) the
  // primary's WAL up to its end as of the call (the primary flushes it first, since its commits do not wait
  // for that: pg_current_wal_flush_lsn() after a synchronous commit); false when not within `timeout`.
  bool wait_caught_up(const PostgresServer& primary, std::chrono::milliseconds timeout) const;
  bool wait_received(const PostgresServer& primary, std::chrono::milliseconds timeout) const;

 private:
  PostgresCluster cluster_;
};

}  // namespace tachyon::testing
