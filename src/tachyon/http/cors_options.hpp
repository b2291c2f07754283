// What the CORS middleware (http/cors.hpp) allows: a plain struct, so settings can hold it without the
// middleware's dependencies.
#pragma once

#include <chrono>
#include <string>
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

}  // namespace tachyon::http
