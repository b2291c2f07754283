// How to reach PostgreSQL and how to pool its connections: the server's URL (any libpq connection
// string: `postgresql://user@host:5432/db?sslmode=verify-full`), the pool's bounds and timeouts
// (SQLAlchemy's pool_size / pool_timeout / pool_recycle), the server-side statement timeout, and the
// hot standbys that take the reads (each with a pool of the same size).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tachyon::db {

struct PostgresOptions {
  std::string url;
  int max_connections = 8;
  std::chrono::milliseconds acquire_timeout{2000};  // no connection free by then: unavailable (503)
  std::chrono::seconds max_lifetime{1800};          // a connection older than this is closed and reopened
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds slow_query_threshold{100};
  int serialization_retries = 3;          // a transaction that loses a serialization race runs again this often
  std::vector<std::string> replica_urls;  // read replicas (streaming standbys of `url`)
  std::chrono::milliseconds replica_poll_interval{100};  // how often each replica's replay position is read
  std::chrono::milliseconds replica_max_lag{10000};      // a replica further behind than this takes no reads
  // Reads from an event loop run there on its own connection (postgres_pipeline.hpp); with pipelining
  // the statements of its concurrent requests share round trips, without it one is in flight at a time.
  bool pipelining = true;
};

}  // namespace tachyon::db
