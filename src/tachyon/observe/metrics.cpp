#include "tachyon/observe/metrics.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace tachyon::observe {

namespace {

// Cells are grouped in chunks a thread allocates on first touch; a series never straddles two chunks.
constexpr std::size_t chunk_cells = 1024;
constexpr std::size_t max_chunks = 1024;   // 1 Mi cells per registry: ~25,000 histogram series
constexpr std::size_t exemplar_cells = 5;  // sequence, trace high, trace low, value, timestamp

using Cell = std::atomic<std::uint64_t>;

// Only the owning thread writes a cell, so a relaxed load and store suffice: no lock prefix, no
// contended cache line. The scraper reads with relaxed loads and may see a value one update old.
inline void add_integer(Cell& cell, std::uint64_t amount) {
  cell.store(cell.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}
inline void add_double(Cell& cell, double amount) {
  double current = std::bit_cast<double>(cell.load(std::memory_order_relaxed));
  cell.store(std::bit_cast<std::uint64_t>(current + amount), std::memory_order_relaxed);
}
inline double read_double(const Cell& cell) {
  return std::bit_cast<double>(cell.load(std::memory_order_relaxed));
}

std::atomic<std::size_t> next_registry_id{0};

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t index = 0; index < name.size(); ++index) {
    char character = name[index];
    bool letter = (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
                  character == '_' || character == ':';
    bool digit = character >= '0' && character <= '9';
    if (!letter && !(digit && index > 0)) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  return valid_metric_name(name) && name.find(':') == std::string_view::npos && !name.starts_with("__");
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

namespace detail {

// One thread's cells for one registry.
struct Shard {
  std::array<std::atomic<Cell*>, max_chunks> chunks{};

  ~Shard() {
    for (auto& chunk : chunks) delete[] chunk.load(std::memory_order_relaxed);
  }

  Cell& cell(std::uint32_t index) {
    std::atomic<Cell*>& slot = chunks[index / chunk_cells];
    Cell* chunk = slot.load(std::memory_order_relaxed);  // only this thread stores into its own slots
    if (chunk == nullptr) [[unlikely]] {
      chunk = new Cell[chunk_cells]();
      slot.store(chunk, std::memory_order_release);  // the scraper acquires it
    }
    return chunk[index % chunk_cells];
  }

  const Cell* find(std::uint32_t index) const {
    const Cell* chunk = chunks[index / chunk_cells].load(std::memory_order_acquire);
    return chunk == nullptr ? nullptr : &chunk[index % chunk_cells];
  }
};

// Every shard of a registry. Shared with the threads' local tables, so a registry destroyed before a
// thread exits leaves nothing dangling. A thread that exits returns its shard for the next thread to
// reuse: its values stay in the sums, so counters never go backwards.
class ShardSet {
 public:
  Shard* acquire() {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      Shard* shard = free_.back();
      free_.pop_back();
      return shard;
    }
    all_.push_back(std::make_unique<Shard>());
    return all_.back().get();
  }
  void release(Shard* shard) {
    std::lock_guard lock(mutex_);
    free_.push_back(shard);
  }
  template <typename Visit>
  void for_each(Visit visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& shard : all_) visit(*shard);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Shard>> all_;
  std::vector<Shard*> free_;
};

namespace {

struct LocalEntry {
  std::shared_ptr<ShardSet> set;
  Shard* shard = nullptr;
};

// This thread's shard per registry (indexed by registry id); shards go back to their sets at exit.
struct LocalShards {
  std::vector<LocalEntry> entries;
  ~LocalShards() {
    for (auto& entry : entries) {
      if (entry.shard != nullptr) entry.set->release(entry.shard);
    }
  }
};

thread_local LocalShards local_shards;

[[gnu::noinline]] Shard& attach_shard(std::size_t registry_id, const std::shared_ptr<ShardSet>& set) {
  auto& entries = local_shards.entries;
  if (entries.size() <= registry_id) entries.resize(registry_id + 1);
  entries[registry_id].set = set;
  entries[registry_id].shard = set->acquire();
  return *entries[registry_id].shard;
}

}  // namespace

}  // namespace detail

std::string TraceId::hex() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(32, '0');
  for (int index = 0; index < 16; ++index) {
    text[static_cast<std::size_t>(15 - index)] = digits[(high >> (4 * index)) & 0xf];
    text[static_cast<std::size_t>(31 - index)] = digits[(low >> (4 * index)) & 0xf];
  }
  return text;
}

const std::vector<double>& default_duration_buckets() {
  // OpenTelemetry SDK default ExplicitBucketHistogram bounds (milliseconds: 0, 5, 10, 25, 50, 75, 100,
  // 250, 500, 750, 1000, 2500, 5000, 7500, 10000), expressed in seconds for *_seconds metrics.
  static const std::vector<double> bounds = {0,   0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                             0.5, 0.75,  1,    2.5,   5,    7.5,   10};
  return bounds;
}

struct Registry::FamilyEntry {
  FamilyEntry(Registry& registry, std::size_t index)
      : counters(registry, index), gauges(registry, index), histograms(registry, index), summaries(registry, index) {}

  std::string name;
  std::string help;
  MetricType type = MetricType::counter;
  std::vector<std::string> label_names;
  std::vector<double> bounds;
  bool exemplars = false;
  std::size_t max_series = 0;
  std::size_t width = 1;  // cells per series
  std::map<std::vector<std::string>, std::uint32_t, std::less<>> series;
  std::vector<std::pair<const std::vector<std::string>*, std::uint32_t>> order;  // creation order
  std::optional<std::uint32_t> overflow;
  CounterFamily counters;
  GaugeFamily gauges;
  HistogramFamily histograms;
  SummaryFamily summaries;
};

Registry::Registry() : shards_(std::make_shared<detail::ShardSet>()), id_(next_registry_id.fetch_add(1)) {}
Registry::~Registry() = default;

detail::Shard& Registry::local_shard() {
  auto& entries = detail::local_shards.entries;
  if (id_ < entries.size() && entries[id_].shard != nullptr) [[likely]] {
    return *entries[id_].shard;
  }
  return detail::attach_shard(id_, shards_);
}

void Counter::add(double amount) const {
  if (registry_ != nullptr) add_double(registry_->local_shard().cell(cell_), amount);
}

void Gauge::add(double amount) const {
  if (registry_ != nullptr) add_double(registry_->local_shard().cell(cell_), amount);
}

void Summary::observe(double value) const {
  if (registry_ == nullptr) return;
  detail::Shard& shard = registry_->local_shard();
  add_integer(shard.cell(cell_), 1);
  add_double(shard.cell(cell_ + 1), value);
}

std::size_t Histogram::bucket_of(double value) const {
  // Buckets are few (15 by default); a linear scan beats binary search at that size.
  std::size_t bucket = 0;
  const std::size_t count = bounds_->size();
  const double* bounds = bounds_->data();
  while (bucket < count && value > bounds[bucket]) ++bucket;
  return bucket;
}

void Histogram::observe(double value) const {
  if (registry_ == nullptr) return;
  detail::Shard& shard = registry_->local_shard();
  auto buckets = static_cast<std::uint32_t>(bounds_->size() + 1);
  add_integer(shard.cell(cell_ + static_cast<std::uint32_t>(bucket_of(value))), 1);
  add_double(shard.cell(cell_ + buckets), value);
  add_integer(shard.cell(cell_ + buckets + 1), 1);
}

void Histogram::observe(double value, const TraceId& trace) const {
  observe(value);
  if (registry_ == nullptr || !exemplars_ || trace.empty()) return;
  detail::Shard& shard = registry_->local_shard();
  std::size_t buckets = bounds_->size() + 1;
  auto base = static_cast<std::uint32_t>(cell_ + buckets + 2 + bucket_of(value) * exemplar_cells);
  // A sequence lock with a single writer (this thread): odd while writing; the scraper retries on change.
  // The exemplar's cells are contiguous (a series never straddles chunks).
  Cell* cells = &shard.cell(base);
  std::uint64_t start = cells[0].load(std::memory_order_relaxed);
  cells[0].store(start + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  cells[1].store(trace.high, std::memory_order_relaxed);
  cells[2].store(trace.low, std::memory_order_relaxed);
  cells[3].store(std::bit_cast<std::uint64_t>(value), std::memory_order_relaxed);
  cells[4].store(std::bit_cast<std::uint64_t>(now_seconds()), std::memory_order_relaxed);
  cells[0].store(start + 2, std::memory_order_release);
}

template <>
Counter Registry::make_handle<Counter>(std::size_t, std::uint32_t cell) {
  return Counter(this, cell);
}
template <>
Gauge Registry::make_handle<Gauge>(std::size_t, std::uint32_t cell) {
  return Gauge(this, cell);
}
template <>
Summary Registry::make_handle<Summary>(std::size_t, std::uint32_t cell) {
  return Summary(this, cell);
}
template <>
Histogram Registry::make_handle<Histogram>(std::size_t family, std::uint32_t cell) {
  std::lock_guard lock(mutex_);
  const FamilyEntry& entry = *families_[family];
  return Histogram(this, cell, &entry.bounds, entry.exemplars);
}

template <typename Handle>
Handle Family<Handle>::labels(std::initializer_list<std::string_view> values) {
  return labels(std::span<const std::string_view>(values.begin(), values.size()));
}

template <typename Handle>
Handle Family<Handle>::labels(std::span<const std::string_view> values) {
  std::uint32_t cell = registry_.series_cell(index_, values);
  return registry_.template make_handle<Handle>(index_, cell);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;
template class Family<Summary>;

std::size_t Registry::add_family(std::string name, std::string help, MetricType type,
                                 std::vector<std::string> label_names, std::vector<double> bounds, bool exemplars,
                                 std::size_t max_series) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  if (type == MetricType::counter && !name.ends_with("_total")) {
    throw std::invalid_argument("counter names end in _total: " + name);
  }
  for (const auto& label : label_names) {
    if (!valid_label_name(label) || label == "le" || label == "quantile") {
      throw std::invalid_argument("invalid label name for " + name + ": " + label);
    }
  }
  if (!std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end() ||
      std::any_of(bounds.begin(), bounds.end(), [](double bound) { return !std::isfinite(bound); })) {
    throw std::invalid_argument("histogram bounds must be finite and strictly increasing: " + name);
  }
  std::lock_guard lock(mutex_);
  for (std::size_t index = 0; index < families_.size(); ++index) {
    FamilyEntry& existing = *families_[index];
    if (existing.name != name) continue;
    if (existing.type != type || existing.label_names != label_names || existing.bounds != bounds) {
      throw std::invalid_argument("metric registered twice with different shapes: " + name);
    }
    return index;
  }
  auto entry = std::make_unique<FamilyEntry>(*this, families_.size());
  entry->name = std::move(name);
  entry->help = std::move(help);
  entry->type = type;
  entry->label_names = std::move(label_names);
  entry->bounds = std::move(bounds);
  entry->exemplars = exemplars;
  entry->max_series = std::max<std::size_t>(max_series, 1);
  switch (type) {
    case MetricType::histogram: {
      std::size_t buckets = entry->bounds.size() + 1;
      entry->width = buckets + 2 + (exemplars ? buckets * exemplar_cells : 0);
      break;
    }
    case MetricType::summary:
      entry->width = 2;
      break;
    default:
      entry->width = 1;
      break;
  }
  if (entry->width > chunk_cells) throw std::invalid_argument("too many histogram buckets: " + entry->name);
  families_.push_back(std::move(entry));
  return families_.size() - 1;
}

std::uint32_t Registry::allocate_cells(std::size_t width) {
  std::size_t start = next_cell_;
  if (start % chunk_cells + width > chunk_cells) start = (start / chunk_cells + 1) * chunk_cells;
  if (start + width > chunk_cells * max_chunks) throw std::length_error("metrics registry is full");
  next_cell_ = static_cast<std::uint32_t>(start + width);
  return static_cast<std::uint32_t>(start);
}

std::uint32_t Registry::series_cell(std::size_t family_index, std::span<const std::string_view> values) {
  std::lock_guard lock(mutex_);
  FamilyEntry& family = *families_[family_index];
  if (values.size() != family.label_names.size()) {
    throw std::invalid_argument("wrong number of label values for " + family.name);
  }
  std::vector<std::string> key(values.begin(), values.end());
  if (auto found = family.series.find(key); found != family.series.end()) return found->second;
  if (family.series.size() >= family.max_series) {
    // Past the cardinality bound every new label set shares one series, labelled as such.
    key.assign(values.size(), "_overflow");
    if (auto found = family.series.find(key); found != family.series.end()) return found->second;
  }
  std::uint32_t cell = allocate_cells(family.width);
  auto [position, inserted] = family.series.emplace(std::move(key), cell);
  family.order.emplace_back(&position->first, cell);
  return cell;
}

CounterFamily& Registry::counter_family(std::string name, std::string help, std::vector<std::string> label_names,
                                        std::size_t max_series) {
  std::size_t index =
      add_family(std::move(name), std::move(help), MetricType::counter, std::move(label_names), {}, false, max_series);
  std::lock_guard lock(mutex_);
  return families_[index]->counters;
}

GaugeFamily& Registry::gauge_family(std::string name, std::string help, std::vector<std::string> label_names,
                                    std::size_t max_series) {
  std::size_t index =
      add_family(std::move(name), std::move(help), MetricType::gauge, std::move(label_names), {}, false, max_series);
  std::lock_guard lock(mutex_);
  return families_[index]->gauges;
}

HistogramFamily& Registry::histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                                            std::vector<double> bucket_bounds, bool exemplars, std::size_t max_series) {
  std::size_t index = add_family(std::move(name), std::move(help), MetricType::histogram, std::move(label_names),
                                 std::move(bucket_bounds), exemplars, max_series);
  std::lock_guard lock(mutex_);
  return families_[index]->histograms;
}

SummaryFamily& Registry::summary_family(std::string name, std::string help, std::vector<std::string> label_names,
                                        std::size_t max_series) {
  std::size_t index =
      add_family(std::move(name), std::move(help), MetricType::summary, std::move(label_names), {}, false, max_series);
  std::lock_guard lock(mutex_);
  return families_[index]->summaries;
}

void Registry::add_collector(Collector collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

namespace {

std::optional<Exemplar> read_exemplar(const detail::Shard& shard, std::uint32_t base) {
  const Cell* sequence = shard.find(base);
  if (sequence == nullptr) return std::nullopt;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::uint64_t before = sequence->load(std::memory_order_acquire);
    if (before == 0) return std::nullopt;  // never written
    if (before % 2 != 0) continue;         // being written right now
    Exemplar exemplar;
    exemplar.trace.high = sequence[1].load(std::memory_order_relaxed);
    exemplar.trace.low = sequence[2].load(std::memory_order_relaxed);
    exemplar.value = read_double(sequence[3]);
    exemplar.timestamp = read_double(sequence[4]);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (sequence->load(std::memory_order_relaxed) == before) return exemplar;
  }
  return std::nullopt;
}

}  // namespace

void Registry::read_series(const FamilyEntry& family, std::uint32_t cell, SeriesSnapshot& out) const {
  std::size_t buckets = family.bounds.size() + 1;
  if (family.type == MetricType::histogram) {
    out.bucket_counts.assign(buckets, 0);
    out.exemplars.assign(family.exemplars ? buckets : 0, std::nullopt);
  }
  shards_->for_each([&](const detail::Shard& shard) {
    const Cell* cells = shard.find(cell);
    if (cells == nullptr) return;
    switch (family.type) {
      case MetricType::counter:
      case MetricType::gauge:
      case MetricType::info:
        out.value += read_double(cells[0]);
        break;
      case MetricType::summary:
        out.count += cells[0].load(std::memory_order_relaxed);
        out.sum += read_double(cells[1]);
        break;
      case MetricType::histogram:
        for (std::size_t bucket = 0; bucket < buckets; ++bucket) {
          out.bucket_counts[bucket] += cells[bucket].load(std::memory_order_relaxed);
        }
        out.sum += read_double(cells[buckets]);
        out.count += cells[buckets + 1].load(std::memory_order_relaxed);
        for (std::size_t bucket = 0; family.exemplars && bucket < buckets; ++bucket) {
          auto base = static_cast<std::uint32_t>(cell + buckets + 2 + bucket * exemplar_cells);
          auto exemplar = read_exemplar(shard, base);
          auto& kept = out.exemplars[bucket];
          if (exemplar && (!kept || exemplar->timestamp > kept->timestamp)) kept = exemplar;
        }
        break;
    }
  });
  if (family.type == MetricType::histogram) {
    // Shards are read one after another while threads keep recording, so the per-bucket counts are
    // made cumulative here and _count is taken as the +Inf bucket: the exposition stays consistent.
    for (std::size_t bucket = 1; bucket < buckets; ++bucket) out.bucket_counts[bucket] += out.bucket_counts[bucket - 1];
    out.count = out.bucket_counts.back();
  }
}

std::vector<FamilySnapshot> Registry::snapshot() const {
  std::vector<FamilySnapshot> result;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mutex_);
    result.reserve(families_.size());
    for (const auto& family : families_) {
      FamilySnapshot snapshot{.name = family->name,
                              .help = family->help,
                              .type = family->type,
                              .label_names = family->label_names,
                              .bucket_bounds = family->bounds,
                              .series = {}};
      snapshot.series.reserve(family->order.size());
      for (const auto& [values, cell] : family->order) {
        SeriesSnapshot series;
        series.label_values = *values;
        read_series(*family, cell, series);
        snapshot.series.push_back(std::move(series));
      }
      result.push_back(std::move(snapshot));
    }
    collectors = collectors_;
  }
  for (const auto& collector : collectors) collector(result);
  return result;
}

Registry& default_registry() {
  static Registry* registry = new Registry();  // never destroyed: threads may record during exit
  return *registry;
}

}  // namespace tachyon::observe
