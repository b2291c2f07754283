// Health probes: GET /healthz answers 200 while the process serves (liveness); GET /readyz answers 200
// when every dependency check passes, else 503 naming the failing ones (`?verbose` lists every check).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "tachyon/http/router.hpp"

namespace tachyon::observe {

struct ReadinessCheck {
  std::string name;                                     // "database", "redis", ...
  std::function<boost::asio::awaitable<bool>()> check;  // awaited on the event loop; throwing = failing
};

void add_health_routes(http::Router& router, std::vector<ReadinessCheck> checks = {});

}  // namespace tachyon::observe
