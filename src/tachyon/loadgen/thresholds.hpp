// Pass/fail thresholds on a run, like k6's: `p95<200ms`, `error_rate<0.1%`, `rps>1000`.
// `tachyon bench` exits 1 when one fails, so a CI job can gate on performance.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tachyon/loadgen/engine.hpp"

namespace tachyon::loadgen {

struct Threshold {
  enum class Comparison { less, less_equal, greater, greater_equal };
  std::string text;    // as written, for the report
  std::string metric;  // p50..p99.99, max, mean, error_rate, rps
  Comparison comparison = Comparison::less;
  double limit = 0.0;  // microseconds for latency, a fraction for error_rate, req/s for rps
};

struct ThresholdOutcome {
  bool passed = false;
  double actual = 0.0;  // same unit as Threshold::limit
};

// Parses "metric<op><number>[unit]"; latency units us, ms (the default) or s; error_rate takes
// "%" or a fraction. Returns nullopt and sets `error` when the text is not a threshold.
std::optional<Threshold> parse_threshold(std::string_view text, std::string& error);
ThresholdOutcome evaluate_threshold(const Threshold& threshold, const RunResult& result);

}  // namespace tachyon::loadgen
