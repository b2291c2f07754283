#include "tachyon/observe/health.hpp"

namespace tachyon::observe {

void add_health_routes(http::Router& router) {
  router
      .get("/healthz",
           [](http::Context& context) -> boost::asio::awaitable<void> {
             context.response.set_json(200, R"({"status":"ok"})");
             co_return;
           })
      .name("healthz")
      .summary("Liveness: 200 while the process serves");
}

}  // namespace tachyon::observe
