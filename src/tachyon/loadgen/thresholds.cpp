#include "tachyon/loadgen/thresholds.hpp"

#include <charconv>
#include <cstdlib>
#include <string>

#include "tachyon/loadgen/summary.hpp"

namespace tachyon::loadgen {
namespace {

std::string trimmed(std::string_view text) {
  std::string out;
  for (char character : text) {
    if (character != ' ' && character != '\t') out += character;
  }
  return out;
}

bool is_latency_metric(const std::string& metric) {
  return metric == "max" || metric == "mean" || (metric.size() > 1 && metric[0] == 'p');
}

}  // namespace

std::optional<Threshold> parse_threshold(std::string_view text, std::string& error) {
  std::string compact = trimmed(text);
  std::size_t operator_at = compact.find_first_of("<>");
  if (operator_at == std::string::npos || operator_at == 0) {
    error = "threshold '" + std::string(text) + "' needs the form metric<value, e.g. p95<200ms";
    return std::nullopt;
  }
  Threshold threshold;
  threshold.text = std::string(text);
  threshold.metric = compact.substr(0, operator_at);
  bool or_equal = operator_at + 1 < compact.size() && compact[operator_at + 1] == '=';
  bool less = compact[operator_at] == '<';
  threshold.comparison = less ? (or_equal ? Threshold::Comparison::less_equal : Threshold::Comparison::less)
                              : (or_equal ? Threshold::Comparison::greater_equal : Threshold::Comparison::greater);
  std::string number_and_unit = compact.substr(operator_at + (or_equal ? 2 : 1));
  const char* begin = number_and_unit.c_str();
  char* end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin) {
    error = "threshold '" + std::string(text) + "' has no number";
    return std::nullopt;
  }
  std::string unit(end);
  const std::string& metric = threshold.metric;
  if (metric == "rps") {
    if (!unit.empty()) error = "rps takes a plain number";
    threshold.limit = number;
  } else if (metric == "error_rate") {
    if (unit == "%") {
      threshold.limit = number / 100.0;
    } else if (unit.empty()) {
      threshold.limit = number;
    } else {
      error = "error_rate takes a fraction or a percentage";
    }
  } else if (is_latency_metric(metric)) {
    if (metric[0] == 'p' && metric != "max") {
      char* percentile_end = nullptr;
      double percentile = std::strtod(metric.c_str() + 1, &percentile_end);
      if (*percentile_end != '\0' || percentile <= 0 || percentile > 100) error = "unknown metric '" + metric + "'";
    }
    if (unit == "us") {
      threshold.limit = number;
    } else if (unit == "ms" || unit.empty()) {
      threshold.limit = number * 1e3;
    } else if (unit == "s") {
      threshold.limit = number * 1e6;
    } else {
      error = "unknown latency unit '" + unit + "' (us, ms or s)";
    }
  } else {
    error = "unknown metric '" + metric + "' (p50..p99.99, max, mean, error_rate, rps)";
  }
  if (!error.empty()) return std::nullopt;
  return threshold;
}

ThresholdOutcome evaluate_threshold(const Threshold& threshold, const RunResult& result) {
  ThresholdOutcome outcome;
  const std::string& metric = threshold.metric;
  const Histogram& latency = result.stats.latency;
  if (metric == "rps") {
    outcome.actual = requests_per_second(result);
  } else if (metric == "error_rate") {
    outcome.actual = error_rate(result);
  } else if (metric == "max") {
    outcome.actual = static_cast<double>(latency.max());
  } else if (metric == "mean") {
    outcome.actual = latency.mean();
  } else {
    outcome.actual = static_cast<double>(latency.value_at_percentile(std::strtod(metric.c_str() + 1, nullptr)));
  }
  switch (threshold.comparison) {
    case Threshold::Comparison::less:
      outcome.passed = outcome.actual < threshold.limit;
      break;
    case Threshold::Comparison::less_equal:
      outcome.passed = outcome.actual <= threshold.limit;
      break;
    case Threshold::Comparison::greater:
      outcome.passed = outcome.actual > threshold.limit;
      break;
    case Threshold::Comparison::greater_equal:
      outcome.passed = outcome.actual >= threshold.limit;
      break;
  }
  return outcome;
}

}  // namespace tachyon::loadgen
