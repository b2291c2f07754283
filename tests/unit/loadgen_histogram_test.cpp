#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tachyon/loadgen/histogram.hpp"

namespace {

using tachyon::loadgen::Histogram;

// The HdrHistogram contract: the value at percentile p is the highest value equivalent to the
// k-th smallest sample, k = round(p% of the count), and so within 0.1 % of that sample.
std::int64_t reference_percentile(const std::vector<std::int64_t>& sorted, double percentile) {
  auto rank = static_cast<std::size_t>(percentile / 100.0 * static_cast<double>(sorted.size()) + 0.5);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::vector<std::int64_t> random_latencies(std::size_t count, unsigned seed) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> distribution(7.0, 1.5);  // median about 1.1 ms, long tail
  std::vector<std::int64_t> values;
  for (std::size_t index = 0; index < count; ++index) {
    values.push_back(std::max<std::int64_t>(1, static_cast<std::int64_t>(distribution(random))));
  }
  return values;
}

TEST(LoadgenHistogram, PercentilesMatchSortedReferenceWithinThreeDigits) {
  auto values = random_latencies(100'000, 42);
  Histogram histogram;
  for (auto value : values) histogram.record(value);
  std::sort(values.begin(), values.end());
  for (double percentile : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    std::int64_t expected = reference_percentile(values, percentile);
    std::int64_t actual = histogram.value_at_percentile(percentile);
    EXPECT_GE(actual, expected) << "p" << percentile;
    EXPECT_LE(static_cast<double>(actual - expected), static_cast<double>(expected) * 0.001 + 1) << "p" << percentile;
    EXPECT_EQ(actual, histogram.highest_equivalent(expected)) << "p" << percentile;
  }
  EXPECT_EQ(histogram.total_count(), values.size());
  EXPECT_EQ(histogram.min(), values.front());
  EXPECT_EQ(histogram.max(), histogram.highest_equivalent(values.back()));
}

TEST(LoadgenHistogram, SmallValuesAreExact) {
  Histogram histogram;
  for (std::int64_t value = 1; value <= 2000; ++value) histogram.record(value);
  EXPECT_EQ(histogram.value_at_percentile(50.0), 1000);
  EXPECT_EQ(histogram.value_at_percentile(100.0), 2000);
  EXPECT_DOUBLE_EQ(histogram.mean(), 1000.5);
}

TEST(LoadgenHistogram, MergeEqualsRecordingEverythingInOne) {
  auto first = random_latencies(20'000, 1);
  auto second = random_latencies(30'000, 2);
  Histogram left;
  Histogram right;
  Histogram both;
  for (auto value : first) left.record(value), both.record(value);
  for (auto value : second) right.record(value), both.record(value);
  left.merge(right);
  EXPECT_EQ(left.total_count(), both.total_count());
  EXPECT_EQ(left.min(), both.min());
  EXPECT_EQ(left.max(), both.max());
  for (double percentile : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    EXPECT_EQ(left.value_at_percentile(percentile), both.value_at_percentile(percentile));
  }
}

TEST(LoadgenHistogram, ValuesBeyondTheRangeAreClampedAndCounted) {
  Histogram histogram(10'000'000);
  histogram.record(20'000'000);
  histogram.record(5);
  EXPECT_EQ(histogram.total_count(), 2u);
  EXPECT_EQ(histogram.saturated(), 1u);
  EXPECT_GE(histogram.max(), 10'000'000 - 10'000);
}

TEST(LoadgenHistogram, PercentileDistributionHasTheHgrmLayout) {
  Histogram histogram;
  for (std::int64_t value = 1; value <= 10'000; ++value) histogram.record(value * 10);
  std::string text = histogram.percentile_distribution(1000.0);
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "       Value     Percentile TotalCount 1/(1-Percentile)");
  std::getline(lines, line);
  EXPECT_EQ(line, "");
  double previous_value = -1;
  double previous_percentile = -1;
  std::uint64_t previous_count = 0;
  int rows = 0;
  std::string last_row;
  while (std::getline(lines, line) && line.rfind("#[", 0) != 0) {
    std::istringstream columns(line);
    double value = 0;
    double percentile = 0;
    std::uint64_t count = 0;
    ASSERT_TRUE(columns >> value >> percentile >> count) << line;
    EXPECT_GE(value, previous_value);
    EXPECT_GE(percentile, previous_percentile);
    EXPECT_GE(count, previous_count);
    previous_value = value;
    previous_percentile = percentile;
    previous_count = count;
    last_row = line;
    ++rows;
  }
  EXPECT_GT(rows, 50);
  EXPECT_DOUBLE_EQ(previous_percentile, 1.0);
  EXPECT_EQ(previous_count, 10'000u);
  EXPECT_NEAR(previous_value, 100.0, 0.1);  // 100,000 us printed in milliseconds
  EXPECT_NE(text.find("#[Mean    = "), std::string::npos);
  EXPECT_NE(text.find("Total count    =        10000]"), std::string::npos);
  EXPECT_NE(text.find("#[Buckets = "), std::string::npos);
  EXPECT_NE(text.find("SubBuckets     =         2048]"), std::string::npos);
}

}  // namespace
