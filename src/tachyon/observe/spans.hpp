// Per-request timing spans (for Server-Timing and the slow-request log) and the W3C trace context.
// Code that waits on something (database, cache, upstream) times it with a Span on the request:
//
//   { observe::Span span(context, "db"); rows = co_await pool.query(...); }   // adds to "db;dur="
//
// A Span on a request the observe middleware does not track (metrics, timing and slow log all off)
// costs one thread-local lookup and records nothing.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tachyon/observe/metrics.hpp"

namespace tachyon::http {
struct Context;
}

namespace tachyon::observe {

// A validated W3C `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header): version 00
// exactly "00-<32 hex>-<16 hex>-<2 hex>", lower-case, ids not all zero; later versions may append
// fields after a dash. Anything else is ignored (the spec says to start a new trace).
std::optional<TraceId> parse_traceparent(std::string_view header);

// What the observe middleware keeps about one request while it runs.
class RequestObservation {
 public:
  static constexpr std::size_t max_spans = 8;

  RequestObservation(const http::Context& context, std::optional<TraceId> trace);
  ~RequestObservation();
  RequestObservation(const RequestObservation&) = delete;
  RequestObservation& operator=(const RequestObservation&) = delete;

  const std::optional<TraceId>& trace() const { return trace_; }
  std::string_view trace_hex() const { return trace_hex_; }

  // Adds `elapsed` to the span of that name (a token with static storage, e.g. "db").
  void record(std::string_view name, std::chrono::nanoseconds elapsed);
  // Adds `operations` to the span's count (e.g. statements run), shown as `desc="3 statements"`; `unit`
  // has static storage.
  void count(std::string_view name, std::uint64_t operations, std::string_view unit);
  // `db;dur=1.250;desc="2 statements", app;dur=4.100` (milliseconds); `app` is the whole request.
  std::string server_timing(std::chrono::nanoseconds total) const;

  // The observation of the request `context` on this thread, if the middleware tracks it.
  static RequestObservation* find(const http::Context& context);

 private:
  struct Entry {
    std::string_view name;
    std::chrono::nanoseconds total{0};
    std::uint64_t operations = 0;
    std::string_view unit;
  };
  Entry* entry(std::string_view name);  // null when all slots are taken
  const http::Context& context_;
  std::optional<TraceId> trace_;
  std::string trace_hex_;
  std::array<Entry, max_spans> spans_{};
  std::size_t span_count_ = 0;
};

// The access log's trace_id: empty when the request had no valid traceparent or is not tracked.
std::string_view trace_id_of(const http::Context& context);

class Span {
 public:
  Span(const http::Context& context, std::string_view name);
  ~Span();
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  const http::Context& context_;
  std::string_view name_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace tachyon::observe
