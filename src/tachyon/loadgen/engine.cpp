#include "tachyon/loadgen/engine.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "tachyon/loadgen/scenario.hpp"
#include "tachyon/loadgen/worker.hpp"

namespace tachyon::loadgen {
namespace {

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& value) {
    return static_cast<double>(value.tv_sec) + static_cast<double>(value.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

std::chrono::microseconds LoadGroup::length(std::chrono::microseconds run_duration) const {
  if (stages.empty()) return run_duration;
  std::chrono::microseconds total{0};
  for (const Stage& stage : stages) total += stage.duration;
  return total;
}

double LoadGroup::rate_at(std::chrono::microseconds elapsed) const {
  if (stages.empty()) return rate;
  double from = rate;
  std::chrono::microseconds stage_start{0};
  for (const Stage& stage : stages) {
    if (elapsed < stage_start + stage.duration) {
      double fraction =
          static_cast<double>((elapsed - stage_start).count()) / static_cast<double>(stage.duration.count());
      return from + (stage.rate - from) * fraction;
    }
    stage_start += stage.duration;
    from = stage.rate;
  }
  return from;
}

std::vector<LoadGroup> LoadOptions::effective_groups() const {
  if (!groups.empty()) return groups;
  LoadGroup single;
  single.connections = connections;
  single.rate = rate;
  single.stages = stages;
  single.scenario = scenario;
  single.think_time = think_time;
  return {single};
}

bool LoadOptions::open_model() const {
  for (const LoadGroup& group : effective_groups()) {
    if (group.open_model()) return true;
  }
  return false;
}

std::chrono::microseconds LoadOptions::total_duration() const {
  std::chrono::microseconds total{0};
  for (const LoadGroup& group : effective_groups()) total = std::max(total, group.length(duration));
  return total;
}

int LoadOptions::total_connections() const {
  int total = 0;
  for (const LoadGroup& group : effective_groups()) total += group.connections;
  return total;
}

double LoadOptions::rate_at(std::chrono::microseconds elapsed) const {
  return effective_groups().front().rate_at(elapsed);
}

void EndpointStats::count_status(int status) {
  for (auto& [known, count] : status_counts) {
    if (known == status) {
      ++count;
      return;
    }
  }
  status_counts.emplace_back(status, 1);
}

void EndpointStats::merge(const EndpointStats& other) {
  latency.merge(other.latency);
  completed += other.completed;
  errors += other.errors;
  for (const auto& [status, count] : other.status_counts) {
    bool found = false;
    for (auto& [known, total] : status_counts) {
      if (known == status) {
        total += count;
        found = true;
      }
    }
    if (!found) status_counts.emplace_back(status, count);
  }
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::connect:
      return "connect";
    case ErrorKind::read:
      return "read";
    case ErrorKind::write:
      return "write";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::closed:
      return "closed";
    case ErrorKind::dropped:
      return "dropped";
    case ErrorKind::count:
      break;
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
  for (std::size_t index = 0; index < other.endpoints.size(); ++index) endpoints[index].merge(other.endpoints[index]);
  if (groups.size() < other.groups.size()) groups.resize(other.groups.size());
  for (std::size_t index = 0; index < other.groups.size(); ++index) groups[index].merge(other.groups[index]);
  for (const auto& [status, histogram] : other.status_latency) status_latency[status].merge(histogram);
}

RunResult run_load(const LoadOptions& options, const TickCallback& on_tick) {
  std::vector<LoadGroup> groups = options.effective_groups();
  int threads = std::clamp(options.threads, 1, std::max(1, options.total_connections()));
  auto start = std::chrono::steady_clock::now();
  double cpu_before = cpu_seconds();
  std::vector<std::vector<WorkerGroup>> shares(static_cast<std::size_t>(threads));
  std::size_t first_endpoint = 0;
  int next_thread = 0;
  for (std::size_t group_index = 0; group_index < groups.size(); ++group_index) {
    const LoadGroup& group = groups[group_index];
    // A group's connections are split as evenly as possible, starting where the previous group's
    // split ended so small groups spread over the threads; each thread paces its share of the rate.
    std::size_t first_user = 0;
    for (int taken = 0; taken < threads; ++taken) {
      int thread = (next_thread + taken) % threads;
      int share = group.connections / threads + (taken < group.connections % threads ? 1 : 0);
      if (share == 0) continue;
      shares[static_cast<std::size_t>(thread)].push_back({&groups[group_index], group_index, share,
                                                          static_cast<double>(share) / group.connections, first_user,
                                                          first_endpoint});
      first_user += static_cast<std::size_t>(share);
    }
    next_thread = (next_thread + group.connections % threads) % threads;
    if (group.scenario != nullptr) first_endpoint += group.scenario->endpoints.size();
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (int thread = 0; thread < threads; ++thread) {
    workers.push_back(std::make_unique<Worker>(options, shares[static_cast<std::size_t>(thread)], groups.size(),
                                               first_endpoint, start,
                                               options.seed + static_cast<std::uint64_t>(thread)));
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
  for (auto& worker : workers) {
    result.stats.merge(worker->stats());
    result.thread_cpu_seconds.push_back(worker->cpu_seconds());
  }
  for (const LoadGroup& group : groups) {
    result.group_names.push_back(group.name);
    if (group.scenario == nullptr) continue;
    for (const std::string& endpoint : group.scenario->endpoint_names()) {
      result.endpoint_names.push_back(groups.size() > 1 ? group.name + "/" + endpoint : endpoint);
    }
  }
  return result;
}

}  // namespace tachyon::loadgen
