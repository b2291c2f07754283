#include "tachyon/auth/access_middleware.hpp"
#include "tachyon/http/standard_middleware.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::http {

boost::asio::awaitable<void> AccessLogMiddleware::handle(Context& context, Next next) {
  co_await next(context);
  if (!observe::log_enabled(observe::LogLevel::info)) co_return;
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - context.started;
  std::string_view route = context.route ? std::string_view(context.route->path_template) : std::string_view();
  observe::log_buffered(
      observe::LogLevel::info, "request",
      {{"method", context.request.method_text},
       {"route", route},
       {"path", context.request.path},
       {"status", context.response.status},
       {"bytes", static_cast<std::uint64_t>(context.response.body.size())},
       {"duration_ms", elapsed.count()},
       {"request_id", context.request_id},
       {"trace_id", observe::trace_id_of(context)},
       {"client_ip", context.client_address},
       {"subject", context.principal ? std::string_view(context.principal->subject) : std::string_view()},
       {"auth", context.principal ? auth::method_name(context.principal->method) : std::string_view()}});
}

Pipeline make_standard_pipeline(Router router, const StandardPipelineOptions& options) {
  router.require_declared_access();
  Pipeline pipeline(std::move(router));
  if (options.observe) pipeline.use(observe::make_observe_middleware(pipeline.router(), *options.observe));
  if (options.access_log) pipeline.use(std::make_unique<AccessLogMiddleware>());
  pipeline.use(std::make_unique<RequestIdMiddleware>());
  pipeline.use(std::make_unique<TimingMiddleware>());
  if (options.security_headers) pipeline.use(std::make_unique<SecurityHeadersMiddleware>());
  if (options.https_redirect_port) {
    pipeline.use(std::make_unique<HttpsRedirectMiddleware>(*options.https_redirect_port,
                                                           std::vector<std::string>{"/healthz", "/readyz"}));
  }
  if (options.cors && !options.cors->origins.empty()) {
    pipeline.use(std::make_unique<CorsMiddleware>(*options.cors));
  }
  pipeline.use(std::make_unique<RepresentationMiddleware>(options.compression));
  pipeline.use(std::make_unique<ErrorMiddleware>());
  pipeline.use(std::make_unique<auth::AccessMiddleware>(options.authenticator, options.security_events,
                                                        options.client_certificates));
  return pipeline;
}

}  // namespace tachyon::http
