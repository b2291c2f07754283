// The load generator engine behind `tachyon bench`: one epoll loop per thread driving its own
// keep-alive HTTP/1.1 connections under a closed (wrk-like) or open (fixed-rate) load model.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tachyon/loadgen/histogram.hpp"

namespace tachyon::loadgen {

struct Scenario;

struct Target {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address
  std::uint16_t port = 80;
  std::string unix_path;  // when set, connect here instead of host:port
};

// One ramp of the open model: the rate moves linearly to `rate` over `duration` (k6's stages).
struct Stage {
  std::chrono::microseconds duration{0};
  double rate = 0.0;
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
  std::uint64_t seed = 1;
  // When set, requests come from the scenario (one Session per connection) instead of `request`.
  const Scenario* scenario = nullptr;

  bool open_model() const { return rate > 0.0 || !stages.empty(); }
  std::chrono::microseconds total_duration() const;
  // The intended request rate at `elapsed` into the run (open model).
  double rate_at(std::chrono::microseconds elapsed) const;
};

enum class ErrorKind { connect, read, write, timeout, protocol, closed, dropped, count };
const char* error_kind_name(ErrorKind kind);
inline constexpr std::size_t error_kind_count = static_cast<std::size_t>(ErrorKind::count);

// Figures of one scenario request (endpoint).
struct EndpointStats {
  Histogram latency;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;  // transport errors, timeouts and statuses >= 400
};

struct RunStats {
  Histogram latency;      // from the intended send time (equals `service` in the closed model)
  Histogram service;      // from the actual send time: what a coordinated-omission-blind tool reports
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;  // responses received, any status
  std::uint64_t late_sends = 0;
  std::uint64_t bytes_read = 0;
  std::array<std::uint64_t, error_kind_count> errors{};
  std::array<std::uint64_t, 600> status_counts{};
  std::vector<EndpointStats> endpoints;  // scenario runs only, in Scenario::endpoints order

  std::uint64_t error_total() const;
  std::uint64_t status_errors() const;  // responses with status >= 400
  void merge(const RunStats& other);
};

struct RunResult {
  RunStats stats;
  bool open_model = false;
  double elapsed_seconds = 0.0;
  double generator_cpu_seconds = 0.0;  // user + system time of this process during the run
  int threads = 0;
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
