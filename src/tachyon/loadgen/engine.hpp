// The load generator engine behind `tachyon bench`: one epoll loop per thread driving its own
// keep-alive HTTP/1.1 connections (TCP, TLS or unix socket) under a closed (wrk-like) or open
// (fixed-rate) load model, one or more named groups of connections each paced on its own.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tachyon/loadgen/histogram.hpp"

namespace tachyon::loadgen {

struct Scenario;

struct Target {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address
  std::uint16_t port = 80;
  std::string unix_path;    // when set, connect here instead of host:port
  bool tls = false;         // https: TLS over the connection (certificates are not verified, like wrk)
  std::string server_name;  // sent as SNI when `tls` (empty: none, as for an IP-literal host)
};

// A pause between a response and the connection's next request, uniform in [minimum, maximum].
struct ThinkTime {
  std::chrono::microseconds minimum{0};
  std::chrono::microseconds maximum{0};
  bool empty() const { return maximum.count() <= 0; }
};

// One ramp of the open model: the rate moves linearly to `rate` over `duration` (k6's stages).
struct Stage {
  std::chrono::microseconds duration{0};
  double rate = 0.0;
};

// A named group of connections with its own load model (k6's "scenarios"): closed unless `rate` or
// `stages` are set. Groups run side by side for the whole run.
struct LoadGroup {
  std::string name;
  int connections = 1;
  double rate = 0.0;
  std::vector<Stage> stages;  // the start rate is `rate`; the group runs for the sum of the stages
  const Scenario* scenario = nullptr;
  ThinkTime think_time;  // default for requests (scenario steps may set their own)

  bool open_model() const { return rate > 0.0 || !stages.empty(); }
  std::chrono::microseconds length(std::chrono::microseconds run_duration) const;
  double rate_at(std::chrono::microseconds elapsed) const;
};

struct LoadOptions {
  Target target;
  std::string request;  // the raw bytes of one request, sent as is
  bool head_request = false;
  int connections = 10;
  int threads = 2;
  int pipeline = 1;  // requests in flight per connection
  std::chrono::microseconds duration = std::chrono::seconds(10);
  // Open model when rate > 0 or stages are given: requests are due at fixed (or Poisson) times and
  // latency runs from the time a request was due, not from when a free connection sent it.
  double rate = 0.0;
  std::vector<Stage> stages;  // the start rate is `rate`; the run lasts the sum of the stages
  bool poisson = false;
  std::chrono::microseconds timeout = std::chrono::seconds(10);
  // A send more than this after its due time counts as late.
  std::chrono::microseconds late_after = std::chrono::milliseconds(1);
  // Plain TCP: a response's arrival is the kernel's receive timestamp of its bytes, so the time the
  // generator thread took to wake up and read them is not charged to the server. False: the
  // thread's clock after recv() returns (what wrk and the others do). TLS always uses the latter.
  bool kernel_timestamps = true;
  bool uses_kernel_timestamps() const { return kernel_timestamps && !target.tls && target.unix_path.empty(); }
  std::uint64_t seed = 1;
  // When set, requests come from the scenario (one Session per connection) instead of `request`.
  const Scenario* scenario = nullptr;
  ThinkTime think_time;
  // When not empty, these groups replace connections/rate/stages/scenario/think_time above.
  std::vector<LoadGroup> groups;

  // The groups to run: `groups`, or one unnamed group made of the fields above.
  std::vector<LoadGroup> effective_groups() const;
  bool open_model() const;                           // any group
  std::chrono::microseconds total_duration() const;  // the longest group
  int total_connections() const;
  // The intended request rate at `elapsed` into the run (open model, single group).
  double rate_at(std::chrono::microseconds elapsed) const;
};

enum class ErrorKind { connect, read, write, timeout, protocol, closed, dropped, count };
const char* error_kind_name(ErrorKind kind);
inline constexpr std::size_t error_kind_count = static_cast<std::size_t>(ErrorKind::count);

// Figures of one scenario request (endpoint), one group, or one status code.
struct EndpointStats {
  Histogram latency;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;                                  // transport errors, timeouts and statuses >= 400
  std::vector<std::pair<int, std::uint64_t>> status_counts;  // (status, responses), in order of first sight

  void count_status(int status);
  void merge(const EndpointStats& other);
};

struct RunStats {
  Histogram latency;  // from the intended send time (equals `service` in the closed model)
  Histogram service;  // from the actual send time: what a coordinated-omission-blind tool reports
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // responses received, any status
  std::uint64_t late_sends = 0;
  std::uint64_t bytes_read = 0;
  std::array<std::uint64_t, error_kind_count> errors{};
  std::array<std::uint64_t, 600> status_counts{};
  std::vector<EndpointStats> endpoints;     // scenario runs only: every group's endpoints in group order
  std::vector<EndpointStats> groups;        // in LoadOptions::effective_groups() order
  std::map<int, Histogram> status_latency;  // latency of the responses with each status

  std::uint64_t error_total() const;
  std::uint64_t status_errors() const;  // responses with status >= 400
  void merge(const RunStats& other);
};

struct RunResult {
  RunStats stats;
  bool open_model = false;
  double elapsed_seconds = 0.0;
  double generator_cpu_seconds = 0.0;      // user + system time of this process during the run
  std::vector<double> thread_cpu_seconds;  // each generator thread's own CPU time (CLOCK_THREAD_CPUTIME_ID)
  int threads = 0;
  std::vector<std::string> group_names;     // effective_groups() names
  std::vector<std::string> endpoint_names;  // scenario runs: "group/endpoint" (just "endpoint" with one group)
};

// Called once per second from the calling thread while the run lasts.
struct Tick {
  double elapsed_seconds = 0.0;
  std::uint64_t completed = 0;  // totals so far
  std::uint64_t errors = 0;
  std::int64_t p99_so_far_us = 0;  // highest per-thread p99 of the run so far (intended-time latency)
};
using TickCallback = std::function<void(const Tick&)>;

RunResult run_load(const LoadOptions& options, const TickCallback& on_tick = {});

}  // namespace tachyon::loadgen
