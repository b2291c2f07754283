// What the CORS middleware (http/cors.hpp) allows, and the one check of it: a plain struct, so settings
// can hold and check it without the middleware's dependencies.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::http {

struct CorsOptions {
  std::vector<std::string> origins;  // exact origins, or {"*"}; empty: CORS is off
  bool allow_credentials = false;
  std::vector<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
  std::vector<std::string> request_headers = {"Authorization", "Content-Type",      "If-Match",
                                              "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
                                              "X-API-Key",     "X-Request-ID",      "traceparent"};
  std::vector<std::string> exposed_headers = {"ETag", "Last-Modified", "Location", "Retry-After", "X-Request-ID"};
  std::chrono::seconds max_age{600};
};

// Why one entry of an origin list is refused, if it is: `*` is accepted, `null` never (any sandboxed
// page or file: URL sends it), anything else must be an origin as browsers send it (core::origin_problem).
std::optional<std::string> cors_origin_problem(std::string_view entry);

// Why the options cannot be served, if they cannot: a refused entry, `*` among origins, `*` with
// credentials (a credentialed answer names one origin).
std::optional<std::string> cors_problem(const CorsOptions& options);

}  // namespace tachyon::http
