// Latency histogram for the load generator: HdrHistogram-style log-linear buckets (our own code,
// following Gil Tene's HdrHistogram design), fixed memory, O(1) record, mergeable, .hgrm export.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::loadgen {

// Records integer values (microseconds here) from 1 up to `highest_trackable` with 3 significant
// decimal digits: every recorded value is reported as a value within 0.1 % of it. The layout is
// HdrHistogram's: bucket b holds 1024 sub-buckets of width 2^b, so relative error stays below
// 1/2048 at every magnitude (G. Tene, "HdrHistogram: A High Dynamic Range Histogram",
// hdrhistogram.org). Values above the range are clamped to it and counted in `saturated()`.
class Histogram {
 public:
  static constexpr std::int64_t default_highest = 3'600'000'000;  // one hour in microseconds

  explicit Histogram(std::int64_t highest_trackable = default_highest);

  void record(std::int64_t value, std::uint64_t count = 1);
  void merge(const Histogram& other);  // both must share highest_trackable
  void reset();

  std::uint64_t total_count() const { return total_count_; }
  std::uint64_t saturated() const { return saturated_; }
  std::int64_t min() const;
  std::int64_t max() const;
  double mean() const;
  double standard_deviation() const;
  // The value at `percentile` (0..100): the highest value equivalent to the recorded value that at
  // least percentile % of all counts are at or below, as HdrHistogram's getValueAtPercentile.
  std::int64_t value_at_percentile(double percentile) const;

  // HdrHistogram's outputPercentileDistribution text (the `.hgrm` format plotted by
  // hdrhistogram.github.io/HdrHistogram/plotFiles.html), values divided by `unit_divisor`
  // (1000: microseconds printed as milliseconds), 5 reporting ticks per half distance.
  std::string percentile_distribution(double unit_divisor = 1000.0, int ticks_per_half_distance = 5) const;

  std::int64_t lowest_equivalent(std::int64_t value) const;
  std::int64_t highest_equivalent(std::int64_t value) const;

 private:
  int bucket_index(std::int64_t value) const;
  std::size_t counts_index(std::int64_t value) const;
  std::int64_t value_at_index(std::size_t index) const;
  std::int64_t equivalent_range(std::int64_t value) const;

  std::int64_t highest_trackable_;
  int bucket_count_ = 0;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_count_ = 0;
  std::uint64_t saturated_ = 0;
  std::int64_t min_ = INT64_MAX;
  std::int64_t max_ = 0;
};

}  // namespace tachyon::loadgen
