// One load-generator thread: its own epoll loop, connections, schedules and statistics; nothing is
// shared with other threads except a few relaxed atomic counters read by the progress line.
#pragma once

#include <sys/epoll.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <queue>
#include <random>
#include <vector>

#include "tachyon/loadgen/arrival_clock.hpp"
#include "tachyon/loadgen/connection.hpp"
#include "tachyon/loadgen/engine.hpp"
#include "tachyon/loadgen/tls.hpp"

namespace tachyon::loadgen {

// This thread's share of one load group.
struct WorkerGroup {
  const LoadGroup* group = nullptr;
  std::size_t group_index = 0;  // in LoadOptions::effective_groups()
  int connections = 0;
  double rate_share = 1.0;         // of the group's rate
  std::size_t first_user = 0;      // scenario user (CSV row) index of this share's first connection
  std::size_t first_endpoint = 0;  // the group's first endpoint in RunStats::endpoints
};

class Worker {
 public:
  Worker(const LoadOptions& options, const std::vector<WorkerGroup>& groups, std::size_t group_count,
         std::size_t endpoint_count, std::chrono::steady_clock::time_point start, std::uint64_t seed);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void run();
  const RunStats& stats() const { return stats_; }
  double cpu_seconds() const { return cpu_seconds_; }

  std::atomic<std::uint64_t> completed_published{0};
  std::atomic<std::uint64_t> errors_published{0};
  std::atomic<std::int64_t> p99_published{0};

 private:
  // A group's schedule on this thread (open model) and its free connections.
  struct Schedule {
    WorkerGroup share;
    bool open_model = false;
    std::int64_t end_us = 0;
    std::int64_t next_due_us = 0;
    std::deque<std::int64_t> pending;  // due times of requests waiting for a free connection
    std::vector<std::size_t> available;
  };
  struct Wakeup {
    std::int64_t due_us;
    std::size_t index;
    std::uint64_t generation;
    bool operator>(const Wakeup& other) const { return due_us > other.due_us; }
  };

  std::int64_t now_us() const;
  void connect(std::size_t index, std::int64_t now);
  void start_requests(std::size_t index, std::int64_t now);
  void close_connection(std::size_t index, ErrorKind pending_error, std::int64_t now, std::int64_t retry_delay_us);
  void send(std::size_t index, std::int64_t intended, std::int64_t now, int copies = 1);
  void flush(std::size_t index, std::int64_t now);
  void handshake(std::size_t index, std::int64_t now);
  void watch_writable(Connection& connection, bool enable);
  // Plain sockets are edge-triggered: a readiness event is taken off epoll's ready list once
  // reported, instead of being polled again on every wait until a read finds the socket empty.
  // TLS stays level-triggered, since OpenSSL may leave bytes in the socket that no new edge announces.
  std::uint32_t read_events() const { return EPOLLIN | EPOLLRDHUP | (tls_ ? 0u : std::uint32_t{EPOLLET}); }
  void on_event(const epoll_event& event);
  void on_readable(std::size_t index);
  // on_readable's steps (worker.cpp).
  void make_room(Connection& connection);
  ssize_t read_some(std::size_t index, char* space, std::size_t room, std::int64_t& stamp_ns);
  bool parse_responses(std::size_t index, std::int64_t arrival, std::int64_t now);
  // `arrival`: when the response reached this machine (latency ends there); `now`: the thread's
  // clock, for whatever happens next (the next request's send time).
  void on_response(std::size_t index, std::int64_t arrival, std::int64_t now);
  void after_think(std::size_t index, std::int64_t now);
  void mark_available(std::size_t index);
  void schedule_arrivals(Schedule& schedule, std::int64_t now);
  void dispatch(Schedule& schedule, std::int64_t now);
  void drop_stale(Schedule& schedule, std::int64_t now, bool everything);
  void housekeeping(std::int64_t now);
  void wake_thinkers(std::int64_t now);
  void count_error(ErrorKind kind, std::uint64_t count = 1);
  void count_request_error(const InFlight& request);
  void record_status(int status, std::int64_t latency_us);
  void reset_parser(Connection& connection);
  void publish();
  std::int64_t think_time_us(const Connection& connection, std::size_t endpoint);
  std::int64_t next_arrival(Schedule& schedule, std::int64_t from);

  const LoadOptions& options_;
  std::chrono::steady_clock::time_point start_;
  ArrivalClock arrival_clock_;
  bool any_open_model_ = false;
  bool track_groups_ = false;  // named groups: per-group figures are kept (else the totals are the group's)
  bool draining_ = false;
  bool precise_wait_ = true;  // epoll_pwait2 is available
  bool capture_bodies_ = false;
  bool kernel_timestamps_ = false;  // plain TCP with LoadOptions::kernel_timestamps
  int epoll_ = -1;
  std::int64_t end_us_ = 0;
  std::int64_t timeout_us_ = 0;
  std::int64_t next_housekeeping_us_ = 0;
  std::int64_t next_publish_us_ = 0;
  std::vector<Schedule> schedules_;
  std::vector<Connection> connections_;
  std::vector<ThinkTime> endpoint_think_times_;  // per global endpoint; empty entries fall back to the group's
  std::priority_queue<Wakeup, std::vector<Wakeup>, std::greater<>> thinking_;
  std::size_t in_flight_total_ = 0;
  std::mt19937_64 random_;
  std::unique_ptr<TlsContext> tls_;
  // Status -> 1 + index into status_histograms_ (0: not seen yet), so recording stays O(1).
  std::array<std::uint8_t, 600> status_slot_{};
  std::vector<std::pair<int, Histogram>> status_histograms_;
  double cpu_seconds_ = 0;
  RunStats stats_;
};

}  // namespace tachyon::loadgen
