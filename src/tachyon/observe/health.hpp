// Health probes: GET /healthz answers 200 while the process serves (liveness). Readiness checks of
// dependencies (/readyz) join here as the modules that own them land.
#pragma once

#include "tachyon/http/router.hpp"

namespace tachyon::observe {

void add_health_routes(http::Router& router);

}  // namespace tachyon::observe
