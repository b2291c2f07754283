// `tachyon bench --html FILE`: one self-contained HTML page (inline SVG, no scripts, no CDN) with
// throughput and latency over time and the latency percentile spectrum of a run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/loadgen/summary.hpp"

namespace tachyon::loadgen {

struct SecondSample {
  double elapsed_seconds = 0;
  double requests_per_second = 0;
  std::uint64_t errors = 0;  // total so far
  std::int64_t p99_so_far_us = 0;
  double server_cpu = -1;  // CPU-seconds the server used in this second; -1 when not sampled
  double server_rss_megabytes = -1;
};

std::string html_report(const RunResult& result, const RunDescription& description,
                        const std::vector<SecondSample>& series);

}  // namespace tachyon::loadgen
