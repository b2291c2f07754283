// The outermost middleware: records the request metrics of prometheus-fastapi-instrumentator
// (http_requests_total, http_request_duration_seconds, sizes, in progress), accepts a W3C traceparent,
// adds Server-Timing when enabled and logs slow requests with their span breakdown.
#pragma once

#include <chrono>
#include <memory>

#include "tachyon/http/middleware.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::observe {

struct ObserveOptions {
  bool metrics = true;                        // record the http_* families
  bool server_timing = false;                 // add `Server-Timing: ...;dur=` (leaks internals: off by default)
  std::chrono::milliseconds slow_request{0};  // log requests at least this slow; 0 = off
  Registry* registry = nullptr;               // null = default_registry()
};

// Label values, bounded by design: `handler` is the matched route's template or "none" when no route
// matched; `method` is one of the seven routable methods or "_OTHER"; `status` is the class ("2xx"),
// the instrumentator's default (should_group_status_codes=True).
inline constexpr std::string_view unmatched_handler = "none";
inline constexpr std::string_view other_method = "_OTHER";

// `router` is read now for its routes (whose addresses stay valid when the router is moved).
std::unique_ptr<http::Middleware> make_observe_middleware(const http::Router& router, const ObserveOptions& options);

}  // namespace tachyon::observe
