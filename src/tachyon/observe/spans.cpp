#include "tachyon/observe/spans.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "tachyon/http/context.hpp"

namespace tachyon::observe {

namespace {

// Requests in flight on this thread that the middleware tracks. A connection never leaves its worker
// thread, so a request's observation is always found on the thread running its handler; coroutines
// interleave, hence a list keyed by context rather than one "current request" pointer.
thread_local std::vector<RequestObservation*> active_observations;

int hex_value(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'a' && character <= 'f') return character - 'a' + 10;
  return -1;  // upper case is invalid in traceparent
}

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  std::uint64_t value = 0;
  for (char character : text) {
    int digit = hex_value(character);
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<std::uint64_t>(digit);
  }
  return value;
}

}  // namespace

std::optional<TraceId> parse_traceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters.
  if (header.size() < 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  auto version = parse_hex(header.substr(0, 2));
  if (!version || *version == 0xff) return std::nullopt;
  if (*version == 0 && header.size() != 55) return std::nullopt;
  if (header.size() > 55 && header[55] != '-') return std::nullopt;
  auto high = parse_hex(header.substr(3, 16));
  auto low = parse_hex(header.substr(19, 16));
  auto parent = parse_hex(header.substr(36, 16));
  auto flags = parse_hex(header.substr(53, 2));
  if (!high || !low || !parent || !flags) return std::nullopt;
  if ((*high == 0 && *low == 0) || *parent == 0) return std::nullopt;
  return TraceId{.high = *high, .low = *low};
}

RequestObservation::RequestObservation(const http::Context& context, std::optional<TraceId> trace)
    : context_(context), trace_(trace) {
  if (trace_) trace_hex_ = trace_->hex();
  active_observations.push_back(this);
}

RequestObservation::~RequestObservation() {
  auto found = std::find(active_observations.rbegin(), active_observations.rend(), this);
  if (found != active_observations.rend()) active_observations.erase(std::next(found).base());
}

RequestObservation* RequestObservation::find(const http::Context& context) {
  for (auto it = active_observations.rbegin(); it != active_observations.rend(); ++it) {
    if (&(*it)->context_ == &context) return *it;
  }
  return nullptr;
}

RequestObservation::Entry* RequestObservation::entry(std::string_view name) {
  for (std::size_t index = 0; index < span_count_; ++index) {
    if (spans_[index].name == name) return &spans_[index];
  }
  if (span_count_ == max_spans) return nullptr;
  spans_[span_count_] = Entry{.name = name};
  return &spans_[span_count_++];
}

void RequestObservation::record(std::string_view name, std::chrono::nanoseconds elapsed) {
  if (Entry* found = entry(name)) found->total += elapsed;
}

void RequestObservation::count(std::string_view name, std::uint64_t operations, std::string_view unit) {
  if (Entry* found = entry(name)) {
    found->operations += operations;
    found->unit = unit;
  }
}

std::string RequestObservation::server_timing(std::chrono::nanoseconds total) const {
  std::string out;
  char number[64];
  auto append = [&](const Entry& span) {
    if (!out.empty()) out += ", ";
    out += span.name;
    int length = std::snprintf(number, sizeof number, ";dur=%.3f", static_cast<double>(span.total.count()) / 1e6);
    out.append(number, static_cast<std::size_t>(std::max(length, 0)));
    if (!span.unit.empty()) {
      out += ";desc=\"" + std::to_string(span.operations) + " ";
      out += span.unit;
      out += '"';
    }
  };
  for (std::size_t index = 0; index < span_count_; ++index) append(spans_[index]);
  append(Entry{.name = "app", .total = total});
  return out;
}

std::string_view trace_id_of(const http::Context& context) {
  RequestObservation* observation = RequestObservation::find(context);
  return observation == nullptr ? std::string_view() : observation->trace_hex();
}

Span::Span(const http::Context& context, std::string_view name)
    : context_(context), name_(name), started_(std::chrono::steady_clock::now()) {}

Span::~Span() {
  if (RequestObservation* observation = RequestObservation::find(context_)) {
    observation->record(name_, std::chrono::steady_clock::now() - started_);
  }
}

}  // namespace tachyon::observe
