#include "tachyon/loadgen/engine.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "tachyon/loadgen/worker.hpp"

namespace tachyon::loadgen {
namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& value) { return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

std::chrono::microseconds LoadOptions::total_duration() const {
  if (stages.empty()) return duration;
  std::chrono::microseconds total{0};
  for (const Stage& stage : stages) total += stage.duration;
  return total;
}

double LoadOptions::rate_at(std::chrono::microseconds elapsed) const {
  if (stages.empty()) return rate;
  double from = rate;
  std::chrono::microseconds stage_start{0};
  for (const Stage& stage : stages) {
    if (elapsed < stage_start + stage.duration) {
      double fraction = static_cast<double>((elapsed - stage_start).count()) / static_cast<double>(stage.duration.count());
      return from + (stage.rate - from) * fraction;
    }
    stage_start += stage.duration;
    from = stage.rate;
  }
  return from;
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::connect: return "connect";
    case ErrorKind::read: return "read";
    case ErrorKind::write: return "write";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::closed: return "closed";
    case ErrorKind::dropped: return "dropped";
    case ErrorKind::count: break;
  }
  return "unknown";
}

std::uint64_t RunStats::error_total() const {
  std::uint64_t total = 0;
  for (std::uint64_t count : errors) total += count;
  return total;
}

std::uint64_t RunStats::status_errors() const {
  std::uint64_t total = 0;
  for (std::size_t status = 400; status < status_counts.size(); ++status) total += status_counts[status];
  return total;
}

void RunStats::merge(const RunStats& other) {
  latency.merge(other.latency);
  service.merge(other.service);
  sent += other.sent;
  completed += other.completed;
  late_sends += other.late_sends;
  bytes_read += other.bytes_read;
  for (std::size_t index = 0; index < errors.size(); ++index) errors[index] += other.errors[index];
  for (std::size_t index = 0; index < status_counts.size(); ++index) status_counts[index] += other.status_counts[index];
  if (endpoints.size() < other.endpoints.size()) endpoints.resize(other.endpoints.size());
  for (std::size_t index = 0; index < other.endpoints.size(); ++index) {
    endpoints[index].latency.merge(other.endpoints[index].latency);
    endpoints[index].completed += other.endpoints[index].completed;
    endpoints[index].errors += other.endpoints[index].errors;
  }
}

RunResult run_load(const LoadOptions& options, const TickCallback& on_tick) {
  int threads = std::clamp(options.threads, 1, std::max(1, options.connections));
  auto start = std::chrono::steady_clock::now();
  double cpu_before = cpu_seconds();
  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t first_user = 0;
  for (int thread = 0; thread < threads; ++thread) {
    // Connections are split as evenly as possible; each thread paces its share of the rate.
    int share = options.connections / threads + (thread < options.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(options, share, static_cast<double>(share) / options.connections, start,
                                               options.seed + static_cast<std::uint64_t>(thread), first_user));
    first_user += static_cast<std::size_t>(share);
  }
  std::vector<std::thread> running;
  for (auto& worker : workers) running.emplace_back([&worker] { worker->run(); });

  auto total = options.total_duration();
  for (int second = 1; on_tick && std::chrono::seconds(second) < total; ++second) {
    std::this_thread::sleep_until(start + std::chrono::seconds(second));
    Tick tick;
    tick.elapsed_seconds = static_cast<double>(second);
    for (auto& worker : workers) {
      tick.completed += worker->completed_published.load(std::memory_order_relaxed);
      tick.errors += worker->errors_published.load(std::memory_order_relaxed);
      tick.p99_so_far_us = std::max(tick.p99_so_far_us, worker->p99_published.load(std::memory_order_relaxed));
    }
    on_tick(tick);
  }
  for (auto& thread : running) thread.join();

  RunResult result;
  result.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.generator_cpu_seconds = cpu_seconds() - cpu_before;
  result.open_model = options.open_model();
  result.threads = threads;
  for (auto& worker : workers) result.stats.merge(worker->stats());
  return result;
}

}  // namespace tachyon::loadgen
