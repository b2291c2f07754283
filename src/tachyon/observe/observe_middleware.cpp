#include "tachyon/observe/observe_middleware.hpp"

#include <algorithm>
#include <exception>
#include <mutex>

#include "tachyon/auth/principal.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::observe {

namespace {

constexpr std::size_t method_slots = http::method_count + 1;  // the routable methods plus _OTHER
constexpr std::size_t status_slots = 5;                       // 1xx .. 5xx
constexpr std::array<std::string_view, status_slots> status_classes = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// A handle created on first use. Creating takes the registry lock once per label set; afterwards the
// once_flag check is a single acquire load of read-mostly memory (no contention).
template <typename Handle>
struct LazyHandle {
  std::once_flag once;
  Handle handle;
};

template <typename Handle, typename Create>
const Handle& get_handle(LazyHandle<Handle>& slot, Create create) {
  std::call_once(slot.once, [&] { slot.handle = create(); });
  return slot.handle;
}

std::string_view method_label(std::size_t method) {
  return method < static_cast<std::size_t>(http::method_count) ? http::method_name(static_cast<http::Method>(method))
                                                               : other_method;
}

class ObserveMiddleware final : public http::Middleware {
 public:
  ObserveMiddleware(const http::Router& router, const ObserveOptions& options)
      : options_(options), registry_(options.registry ? *options.registry : default_registry()) {
    for (const http::Route* route : router.routes()) routes_.push_back(route);
    std::sort(routes_.begin(), routes_.end());
    std::size_t handlers = routes_.size() + 1;
    requests_ = std::make_unique<LazyHandle<Counter>[]>(handlers * method_slots * status_slots);
    durations_ = std::make_unique<LazyHandle<Histogram>[]>(handlers * method_slots);
    in_progress_ = std::make_unique<LazyHandle<Gauge>[]>(handlers * method_slots);
    request_sizes_ = std::make_unique<LazyHandle<Summary>[]>(handlers);
    response_sizes_ = std::make_unique<LazyHandle<Summary>[]>(handlers);
    if (!options_.metrics) return;
    requests_family_ =
        &registry_.counter_family("http_requests_total", "Total number of requests by method, status and handler.",
                                  {"method", "status", "handler"});
    durations_family_ = &registry_.histogram_family(
        "http_request_duration_seconds", "Duration of HTTP requests in seconds, from parsed head to handler end.",
        {"method", "handler"}, default_duration_buckets(), true);
    in_progress_family_ = &registry_.gauge_family("http_requests_inprogress", "Number of HTTP requests in progress.",
                                                  {"method", "handler"});
    request_sizes_family_ = &registry_.summary_family("http_request_size_bytes",
                                                      "Content length of incoming requests by handler.", {"handler"});
    response_sizes_family_ = &registry_.summary_family("http_response_size_bytes",
                                                       "Content length of outgoing responses by handler.", {"handler"});
  }

  boost::asio::awaitable<void> handle(http::Context& context, http::Next next) override {
    std::string_view traceparent = context.request.header("traceparent");
    RequestObservation observation(context, traceparent.empty() ? std::nullopt : parse_traceparent(traceparent));
    std::size_t handler = handler_index(context.route);
    auto method = static_cast<std::size_t>(context.request.method);  // unsupported == method_count
    const Gauge* in_progress = nullptr;
    if (options_.metrics) {
      in_progress = &gauge(handler, method);
      in_progress->increment();
    }
    std::exception_ptr failure;
    try {
      co_await next(context);
    } catch (...) {
      failure = std::current_exception();  // the error middleware normally catches first
    }
    auto elapsed = std::chrono::steady_clock::now() - context.started;
    if (options_.metrics) {
      in_progress->decrement();
      record(context, handler, method, failure ? 500 : context.response.status, elapsed, observation);
    }
    if (options_.server_timing && !failure) {
      context.response.add_header("Server-Timing", observation.server_timing(elapsed));
    }
    if (options_.slow_request.count() > 0 && elapsed >= options_.slow_request) log_slow(context, elapsed, observation);
    if (failure) std::rethrow_exception(failure);
  }

 private:
  std::size_t handler_index(const http::Route* route) const {
    if (route == nullptr) return routes_.size();
    auto found = std::lower_bound(routes_.begin(), routes_.end(), route);
    return found != routes_.end() && *found == route ? static_cast<std::size_t>(found - routes_.begin())
                                                     : routes_.size();
  }

  std::string_view handler_label(std::size_t handler) const {
    return handler < routes_.size() ? std::string_view(routes_[handler]->path_template) : unmatched_handler;
  }

  const Gauge& gauge(std::size_t handler, std::size_t method) {
    return get_handle(in_progress_[handler * method_slots + method], [&] {
      return in_progress_family_->labels({method_label(method), handler_label(handler)});
    });
  }

  void record(const http::Context& context, std::size_t handler, std::size_t method, int status,
              std::chrono::steady_clock::duration elapsed, const RequestObservation& observation) {
    std::size_t status_class = static_cast<std::size_t>(std::clamp(status / 100, 1, 5) - 1);
    get_handle(requests_[(handler * method_slots + method) * status_slots + status_class], [&] {
      return requests_family_->labels({method_label(method), status_classes[status_class], handler_label(handler)});
    }).add();
    const Histogram& duration = get_handle(durations_[handler * method_slots + method], [&] {
      return durations_family_->labels({method_label(method), handler_label(handler)});
    });
    double seconds = std::chrono::duration<double>(elapsed).count();
    if (observation.trace()) {
      duration.observe(seconds, *observation.trace());
    } else {
      duration.observe(seconds);
    }
    get_handle(request_sizes_[handler], [&] {
      return request_sizes_family_->labels({handler_label(handler)});
    }).observe(static_cast<double>(context.request.body.size()));
    get_handle(response_sizes_[handler], [&] {
      return response_sizes_family_->labels({handler_label(handler)});
    }).observe(static_cast<double>(context.response.body.size()));
  }

  void log_slow(const http::Context& context, std::chrono::steady_clock::duration elapsed,
                const RequestObservation& observation) const {
    auto total = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed);
    std::string spans = observation.server_timing(total);
    std::string_view route = context.route ? std::string_view(context.route->path_template) : std::string_view();
    log_warn("slow request",
             {{"method", context.request.method_text},
              {"route", route},
              {"status", context.response.status},
              {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
              {"spans", std::string_view(spans)},
              {"request_id", std::string_view(context.request_id)},
              {"trace_id", observation.trace_hex()},
              {"subject", context.principal ? std::string_view(context.principal->subject) : std::string_view()},
              {"auth", context.principal ? auth::method_name(context.principal->method) : std::string_view()}});
  }

  ObserveOptions options_;
  Registry& registry_;
  std::vector<const http::Route*> routes_;  // sorted by address for lookup
  CounterFamily* requests_family_ = nullptr;
  HistogramFamily* durations_family_ = nullptr;
  GaugeFamily* in_progress_family_ = nullptr;
  SummaryFamily* request_sizes_family_ = nullptr;
  SummaryFamily* response_sizes_family_ = nullptr;
  std::unique_ptr<LazyHandle<Counter>[]> requests_;
  std::unique_ptr<LazyHandle<Histogram>[]> durations_;
  std::unique_ptr<LazyHandle<Gauge>[]> in_progress_;
  std::unique_ptr<LazyHandle<Summary>[]> request_sizes_;
  std::unique_ptr<LazyHandle<Summary>[]> response_sizes_;
};

}  // namespace

std::unique_ptr<http::Middleware> make_observe_middleware(const http::Router& router, const ObserveOptions& options) {
  return std::make_unique<ObserveMiddleware>(router, options);
}

}  // namespace tachyon::observe
