#include "tachyon/observe/metrics_route.hpp"

#include "tachyon/observe/exposition.hpp"

namespace tachyon::observe {

void add_metrics_route(http::Router& router, bool public_access, Registry& registry) {
  auto route = router
                   .get("/metrics",
                        [&registry](http::Context& context) -> boost::asio::awaitable<void> {
                          ExpositionFormat format = negotiate_format(context.request.header("accept"));
                          std::string body = render_metrics(registry.snapshot(), format);
                          context.response.status = 200;
                          context.response.set_content_type(format == ExpositionFormat::openmetrics
                                                                ? openmetrics_content_type
                                                                : prometheus_text_content_type);
                          // Accept-Encoding is added by the representation middleware, which compresses.
                          context.response.add_header("Vary", "Accept");
                          context.response.body = std::move(body);
                          co_return;
                        })
                   .name("metrics")
                   .cors(http::CorsMode::off);  // for scrapers, never for other sites' pages
  route.summary("Prometheus metrics (text 0.0.4, or OpenMetrics 1.0 by Accept; gzip or br by Accept-Encoding)");
  if (public_access) {
    route.public_access();
  } else {
    route.requires_scopes({"admin"});
  }
}

}  // namespace tachyon::observe
