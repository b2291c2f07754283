// Renders metric snapshots as Prometheus text format 0.0.4 or OpenMetrics 1.0 (with exemplars and
// `# EOF`), chooses between them from the Accept header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tachyon/observe/metrics.hpp"

namespace tachyon::observe {

enum class ExpositionFormat { prometheus_text, openmetrics };

inline constexpr std::string_view prometheus_text_content_type = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view openmetrics_content_type =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

// OpenMetrics when the Accept header names application/openmetrics-text (as Prometheus does), else
// text 0.0.4.
ExpositionFormat negotiate_format(std::string_view accept_header);

std::string render_metrics(const std::vector<FamilySnapshot>& families, ExpositionFormat format);

// The shortest decimal that parses back to exactly `value` ("0.1", "2.5", "1e-05"), or +Inf/-Inf/NaN.
// Same exactness as printf("%.17g") without its noise (0.10000000000000001), so `le="0.1"` selectors
// written by hand still match.
void append_number(std::string& out, double value);

}  // namespace tachyon::observe
