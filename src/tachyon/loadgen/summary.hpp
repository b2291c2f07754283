// Reports of a finished load run: the terminal summary and the `--json` document (the input of
// thresholds and `tachyon bench compare`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tachyon/loadgen/engine.hpp"

namespace tachyon::loadgen {

// The percentiles every report lists, in order.
inline const std::vector<double>& reported_percentiles() {
  static const std::vector<double> percentiles = {50, 75, 90, 95, 99, 99.9, 99.99};
  return percentiles;
}

struct RunDescription {
  std::string url;
  const LoadOptions* options = nullptr;
};

double requests_per_second(const RunResult& result);
// Errors (transport, timeouts, dropped and status >= 400) per request attempted, 0..1.
double error_rate(const RunResult& result);
// "812us", "3.25ms", "1.02s"
std::string format_microseconds(double microseconds);

std::string format_summary(const RunResult& result, const RunDescription& description);
std::string summary_json(const RunResult& result, const RunDescription& description);
// A warning when a generator thread was busy for at least `limit` (0..1) of the run, or the whole
// process for `limit` of `cores`: then the generator, not the server, may have set the pace.
std::optional<std::string> saturation_warning(const RunResult& result, unsigned cores, double limit = 0.9);

}  // namespace tachyon::loadgen
