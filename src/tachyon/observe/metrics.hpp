// The metrics registry: counters, gauges, histograms and summaries whose values live in per-thread
// shards (no lock, no shared atomic on the hot path), merged when /metrics is scraped.
//
// Adding metrics to a module (cache, database, ...) takes three lines. Create the family and the
// labelled series once (cold: takes the registry lock), keep the handles, record on the hot path:
//
//   auto& hits = observe::default_registry().counter_family(
//       "tachyon_cache_hits_total", "Cache lookups answered from the cache.", {"tier", "policy"});
//   observe::Counter memory_hits = hits.labels({"memory", "default"});   // keep this handle
//   memory_hits.add();                                                   // per hit: ~10 instructions
//
//   auto& query = observe::default_registry().histogram_family(
//       "tachyon_db_query_duration_seconds", "Database query time.", {"operation"},
//       observe::default_duration_buckets());
//   query.labels({"select"}).observe(0.0042);
//
// Values that are read rather than counted (pool sizes, queue depths) are sampled at scrape time:
//   default_registry().add_collector([](std::vector<FamilySnapshot>& out) { out.push_back(...); });
//
// Label values must come from a bounded set (route templates, method names, status classes). Each
// family holds at most `max_series` series; further label sets share one series whose labels all read
// "_overflow", so a bug cannot exhaust memory or the monitoring system.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::observe {

enum class MetricType { counter, gauge, histogram, summary, info };

// A W3C trace id (16 bytes) attached to a histogram observation as an OpenMetrics exemplar.
struct TraceId {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  bool empty() const { return high == 0 && low == 0; }
  std::string hex() const;  // 32 lower-case hex digits
};

struct Exemplar {
  TraceId trace;
  double value = 0;
  double timestamp = 0;  // seconds since the epoch
};

// One labelled series as read at scrape time (shards summed).
struct SeriesSnapshot {
  std::vector<std::string> label_values;
  double value = 0;                                // counter, gauge, info (always 1)
  std::vector<std::uint64_t> bucket_counts;        // histogram: cumulative, one per bound plus +Inf
  std::vector<std::optional<Exemplar>> exemplars;  // histogram: per bucket, when recorded
  double sum = 0;                                  // histogram, summary
  std::uint64_t count = 0;                         // histogram, summary
};

struct FamilySnapshot {
  std::string name;  // as exposed: counters end in _total, info metrics in _info
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<std::string> label_names;
  std::vector<double> bucket_bounds;  // histogram: upper bounds, ascending, without +Inf
  std::vector<SeriesSnapshot> series;
};

namespace detail {
class ShardSet;
struct Shard;
}  // namespace detail

class Registry;

// Handles: small values, cheap to copy, valid as long as their registry. A default-constructed handle
// records nothing.
class Counter {
 public:
  Counter() = default;
  void add(double amount = 1) const;

 private:
  friend class Registry;
  Counter(Registry* registry, std::uint32_t cell) : registry_(registry), cell_(cell) {}
  Registry* registry_ = nullptr;
  std::uint32_t cell_ = 0;
};

// A gauge whose changes are recorded per thread and summed (requests in progress, open connections).
class Gauge {
 public:
  Gauge() = default;
  void add(double amount) const;
  void increment() const { add(1); }
  void decrement() const { add(-1); }

 private:
  friend class Registry;
  Gauge(Registry* registry, std::uint32_t cell) : registry_(registry), cell_(cell) {}
  Registry* registry_ = nullptr;
  std::uint32_t cell_ = 0;
};

class Histogram {
 public:
  Histogram() = default;
  void observe(double value) const;
  // Also keeps (value, trace, now) as the bucket's exemplar when the family was created with exemplars.
  void observe(double value, const TraceId& trace) const;

 private:
  friend class Registry;
  Histogram(Registry* registry, std::uint32_t cell, const std::vector<double>* bounds, bool exemplars)
      : registry_(registry), cell_(cell), bounds_(bounds), exemplars_(exemplars) {}
  std::size_t bucket_of(double value) const;
  Registry* registry_ = nullptr;
  std::uint32_t cell_ = 0;
  const std::vector<double>* bounds_ = nullptr;
  bool exemplars_ = false;
};

// Count and sum only (no quantiles): what prometheus-fastapi-instrumentator exposes for sizes.
class Summary {
 public:
  Summary() = default;
  void observe(double value) const;

 private:
  friend class Registry;
  Summary(Registry* registry, std::uint32_t cell) : registry_(registry), cell_(cell) {}
  Registry* registry_ = nullptr;
  std::uint32_t cell_ = 0;
};

// A family: one metric name, its help and label names, and its labelled series.
template <typename Handle>
class Family {
 public:
  // Finds or creates the series for these label values (in label-name order). Takes the registry
  // lock: call it once and keep the handle, not per request.
  Handle labels(std::initializer_list<std::string_view> values);
  Handle labels(std::span<const std::string_view> values);

 private:
  friend class Registry;
  Family(Registry& registry, std::size_t index) : registry_(registry), index_(index) {}
  Registry& registry_;
  std::size_t index_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;
using SummaryFamily = Family<Summary>;

using Collector = std::function<void(std::vector<FamilySnapshot>& out)>;

// OpenTelemetry's default explicit bucket bounds (0, 5 ms, 10 ms, ... 10 s), in seconds.
const std::vector<double>& default_duration_buckets();

class Registry {
 public:
  static constexpr std::size_t default_max_series = 2000;

  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names follow Prometheus conventions: [a-zA-Z_:][a-zA-Z0-9_:]*, counters end in _total. Asking
  // twice for the same name with the same type returns the same family; a clash throws
  // std::invalid_argument.
  CounterFamily& counter_family(std::string name, std::string help, std::vector<std::string> label_names = {},
                                std::size_t max_series = default_max_series);
  GaugeFamily& gauge_family(std::string name, std::string help, std::vector<std::string> label_names = {},
                            std::size_t max_series = default_max_series);
  HistogramFamily& histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                    std::vector<double> bucket_bounds, bool exemplars = false,
                                    std::size_t max_series = default_max_series);
  SummaryFamily& summary_family(std::string name, std::string help, std::vector<std::string> label_names = {},
                                std::size_t max_series = default_max_series);

  // Unlabelled shorthands.
  Counter counter(std::string name, std::string help) {
    return counter_family(std::move(name), std::move(help)).labels({});
  }
  Gauge gauge(std::string name, std::string help) { return gauge_family(std::move(name), std::move(help)).labels({}); }

  // Called at every scrape, after the recorded families, in registration order.
  void add_collector(Collector collector);

  // Every family with its series, shards merged; families in registration order.
  std::vector<FamilySnapshot> snapshot() const;

  // Hot-path internals used by the handles: this thread's shard (created on first use).
  detail::Shard& local_shard();

 private:
  template <typename Handle>
  friend class Family;
  struct FamilyEntry;

  std::size_t add_family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
                         std::vector<double> bounds, bool exemplars, std::size_t max_series);
  std::uint32_t series_cell(std::size_t family, std::span<const std::string_view> values);
  template <typename Handle>
  Handle make_handle(std::size_t family, std::uint32_t cell);
  std::uint32_t allocate_cells(std::size_t width);
  void read_series(const FamilyEntry& family, std::uint32_t cell, SeriesSnapshot& out) const;

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyEntry>> families_;
  std::vector<Collector> collectors_;
  std::uint32_t next_cell_ = 0;
  std::shared_ptr<detail::ShardSet> shards_;
  std::size_t id_;
};

// The process-wide registry that /metrics serves.
Registry& default_registry();

}  // namespace tachyon::observe
