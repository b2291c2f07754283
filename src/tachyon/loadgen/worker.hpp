// One load-generator thread: its own epoll loop, connections, schedule and statistics; nothing is
// shared with other threads except a few relaxed atomic counters read by the progress line.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "tachyon/loadgen/connection.hpp"
#include "tachyon/loadgen/engine.hpp"

namespace tachyon::loadgen {

class Worker {
 public:
  Worker(const LoadOptions& options, int connection_count, double rate_share,
         std::chrono::steady_clock::time_point start, std::uint64_t seed, std::size_t first_user);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void run();
  const RunStats& stats() const { return stats_; }

  std::atomic<std::uint64_t> completed_published{0};
  std::atomic<std::uint64_t> errors_published{0};
  std::atomic<std::int64_t> p99_published{0};

 private:
  std::int64_t now_us() const;
  void connect(std::size_t index, std::int64_t now);
  void close_connection(std::size_t index, ErrorKind pending_error, std::int64_t now, std::int64_t retry_delay_us);
  void send(std::size_t index, std::int64_t intended, std::int64_t now, int copies = 1);
  void flush(std::size_t index, std::int64_t now);
  void watch_writable(Connection& connection, bool enable);
  void on_event(const epoll_event& event);
  void on_readable(std::size_t index, std::int64_t now);
  void on_response(std::size_t index, std::int64_t now);
  void mark_available(std::size_t index);
  void schedule_arrivals(std::int64_t now);
  void dispatch(std::int64_t now);
  void drop_stale(std::int64_t now, bool everything);
  void housekeeping(std::int64_t now);
  void count_error(ErrorKind kind, std::uint64_t count = 1);
  void reset_parser(Connection& connection);
  void publish();
  std::int64_t next_arrival(std::int64_t from);

  const LoadOptions& options_;
  std::chrono::steady_clock::time_point start_;
  double rate_share_;
  bool open_model_;
  bool draining_ = false;
  bool capture_bodies_ = false;
  int epoll_ = -1;
  std::int64_t end_us_ = 0;
  std::int64_t timeout_us_ = 0;
  std::int64_t next_due_us_ = 0;
  std::int64_t next_housekeeping_us_ = 0;
  std::int64_t next_publish_us_ = 0;
  std::vector<Connection> connections_;
  std::vector<std::size_t> available_;
  std::deque<std::int64_t> pending_;  // due times of requests waiting for a free connection
  std::size_t in_flight_total_ = 0;
  std::mt19937_64 random_;
  RunStats stats_;
};

}  // namespace tachyon::loadgen
