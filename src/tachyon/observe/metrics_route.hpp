// GET /metrics: the registry in Prometheus text 0.0.4, or OpenMetrics 1.0 when the Accept header asks,
// gzip-compressed when Accept-Encoding allows. Public, or for the `admin` scope only when `public_access`
// is false.
#pragma once

#include "tachyon/http/router.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::observe {

void add_metrics_route(http::Router& router, bool public_access = true, Registry& registry = default_registry());

}  // namespace tachyon::observe
