#include "tachyon/loadgen/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace tachyon::loadgen {
namespace {

// 3 significant digits need 2 * 10^3 distinct steps per magnitude: the next power of two is 2048.
constexpr int sub_bucket_count_magnitude = 11;
constexpr std::int64_t sub_bucket_count = std::int64_t{1} << sub_bucket_count_magnitude;
constexpr int sub_bucket_half_count_magnitude = sub_bucket_count_magnitude - 1;
constexpr std::int64_t sub_bucket_half_count = sub_bucket_count / 2;
constexpr std::int64_t sub_bucket_mask = sub_bucket_count - 1;

}  // namespace

Histogram::Histogram(std::int64_t highest_trackable) : highest_trackable_(highest_trackable) {
  if (highest_trackable < 2 * sub_bucket_count) throw std::invalid_argument("histogram range too small");
  std::int64_t smallest_untrackable = sub_bucket_count;
  bucket_count_ = 1;
  while (smallest_untrackable <= highest_trackable) {
    smallest_untrackable <<= 1;
    ++bucket_count_;
  }
  counts_.assign(static_cast<std::size_t>((bucket_count_ + 1) * sub_bucket_half_count), 0);
}

int Histogram::bucket_index(std::int64_t value) const {
  // The position of the highest set bit above the first bucket's sub-bucket range.
  int bits = 64 - std::countl_zero(static_cast<std::uint64_t>(value | sub_bucket_mask));
  return bits - sub_bucket_count_magnitude;
}

std::size_t Histogram::counts_index(std::int64_t value) const {
  int bucket = bucket_index(value);
  std::int64_t sub_bucket = value >> bucket;
  return static_cast<std::size_t>(((std::int64_t{bucket} + 1) << sub_bucket_half_count_magnitude) +
                                  (sub_bucket - sub_bucket_half_count));
}

std::int64_t Histogram::value_at_index(std::size_t index) const {
  auto signed_index = static_cast<std::int64_t>(index);
  std::int64_t bucket = (signed_index >> sub_bucket_half_count_magnitude) - 1;
  std::int64_t sub_bucket = (signed_index & (sub_bucket_half_count - 1)) + sub_bucket_half_count;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

std::int64_t Histogram::equivalent_range(std::int64_t value) const {
  int bucket = bucket_index(value);
  std::int64_t sub_bucket = value >> bucket;
  int adjusted = sub_bucket >= sub_bucket_count ? bucket + 1 : bucket;
  return std::int64_t{1} << adjusted;
}

std::int64_t Histogram::lowest_equivalent(std::int64_t value) const {
  int bucket = bucket_index(value);
  return (value >> bucket) << bucket;
}

std::int64_t Histogram::highest_equivalent(std::int64_t value) const {
  return lowest_equivalent(value) + equivalent_range(value) - 1;
}

void Histogram::record(std::int64_t value, std::uint64_t count) {
  if (count == 0) return;
  if (value < 0) value = 0;
  if (value > highest_trackable_) {
    value = highest_trackable_;
    saturated_ += count;
  }
  counts_[counts_index(value)] += count;
  total_count_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  if (other.counts_.size() != counts_.size()) throw std::invalid_argument("histogram ranges differ");
  for (std::size_t index = 0; index < counts_.size(); ++index) counts_[index] += other.counts_[index];
  total_count_ += other.total_count_;
  saturated_ += other.saturated_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  saturated_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
}

std::int64_t Histogram::min() const {
  return total_count_ == 0 ? 0 : min_;
}

std::int64_t Histogram::max() const {
  return total_count_ == 0 ? 0 : highest_equivalent(max_);
}

double Histogram::mean() const {
  if (total_count_ == 0) return 0.0;
  double sum = 0.0;
  for (std::size_t index = 0; index < counts_.size(); ++index) {
    if (counts_[index] == 0) continue;
    std::int64_t value = value_at_index(index);
    double median = static_cast<double>(lowest_equivalent(value) + equivalent_range(value) / 2);
    sum += median * static_cast<double>(counts_[index]);
  }
  return sum / static_cast<double>(total_count_);
}

double Histogram::standard_deviation() const {
  if (total_count_ == 0) return 0.0;
  double average = mean();
  double squares = 0.0;
  for (std::size_t index = 0; index < counts_.size(); ++index) {
    if (counts_[index] == 0) continue;
    std::int64_t value = value_at_index(index);
    double deviation = static_cast<double>(lowest_equivalent(value) + equivalent_range(value) / 2) - average;
    squares += deviation * deviation * static_cast<double>(counts_[index]);
  }
  return std::sqrt(squares / static_cast<double>(total_count_));
}

std::int64_t Histogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) return 0;
  double requested = std::clamp(percentile, 0.0, 100.0);
  auto count_at_percentile = static_cast<std::uint64_t>(requested / 100.0 * static_cast<double>(total_count_) + 0.5);
  count_at_percentile = std::max<std::uint64_t>(count_at_percentile, 1);
  std::uint64_t running = 0;
  for (std::size_t index = 0; index < counts_.size(); ++index) {
    running += counts_[index];
    if (running >= count_at_percentile) return highest_equivalent(value_at_index(index));
  }
  return max();
}

std::string Histogram::percentile_distribution(double unit_divisor, int ticks_per_half_distance) const {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
  out += line;
  double total = static_cast<double>(total_count_);
  double level = 0.0;
  std::uint64_t running = 0;
  for (std::size_t index = 0; index < counts_.size() && total_count_ > 0; ++index) {
    if (counts_[index] == 0) continue;
    running += counts_[index];
    double value = static_cast<double>(highest_equivalent(value_at_index(index))) / unit_divisor;
    double reached = 100.0 * static_cast<double>(running) / total;
    // Report every percentile level this value reaches, halving the step each time the remaining
    // distance to 100 % halves (HdrHistogram's PercentileIterator).
    while (reached >= level && level < 100.0 && running < total_count_) {
      std::snprintf(line, sizeof line, "%12.3f %2.12f %10llu %14.2f\n", value, level / 100.0,
                    static_cast<unsigned long long>(running), 1.0 / (1.0 - level / 100.0));
      out += line;
      double halvings = std::floor(std::log2(100.0 / (100.0 - level))) + 1.0;
      level += 100.0 / (ticks_per_half_distance * std::pow(2.0, halvings));
    }
    if (running == total_count_) {
      std::snprintf(line, sizeof line, "%12.3f %2.12f %10llu\n", value, 1.0, static_cast<unsigned long long>(running));
      out += line;
    }
  }
  std::snprintf(line, sizeof line, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean() / unit_divisor,
                standard_deviation() / unit_divisor);
  out += line;
  std::snprintf(line, sizeof line, "#[Max     = %12.3f, Total count    = %12llu]\n",
                static_cast<double>(max()) / unit_divisor, static_cast<unsigned long long>(total_count_));
  out += line;
  std::snprintf(line, sizeof line, "#[Buckets = %12d, SubBuckets     = %12lld]\n", bucket_count_,
                static_cast<long long>(sub_bucket_count));
  out += line;
  return out;
}

}  // namespace tachyon::loadgen
