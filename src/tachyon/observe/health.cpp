#include "tachyon/observe/health.hpp"

#include <memory>

#include "tachyon/json/writer.hpp"

namespace tachyon::observe {

namespace {

boost::asio::awaitable<void> readiness(http::Context& context, const std::vector<ReadinessCheck>& checks) {
  bool verbose = context.request.query_param("verbose").has_value();
  std::vector<std::string_view> failing;
  std::vector<bool> results;
  for (const ReadinessCheck& check : checks) {
    bool passed = false;
    try {
      passed = co_await check.check();
    } catch (const std::exception&) {
      passed = false;
    }
    results.push_back(passed);
    if (!passed) failing.push_back(check.name);
  }
  context.response.status = failing.empty() ? 200 : 503;
  context.response.set_content_type("application/json");
  json::JsonWriter writer(context.response.body);
  writer.begin_object();
  writer.field("status", failing.empty() ? "ready" : "unavailable");
  if (!failing.empty()) {
    writer.key("failing");
    writer.begin_array();
    for (std::string_view name : failing) writer.value(name);
    writer.end_array();
  }
  if (verbose) {
    writer.key("checks");
    writer.begin_array();
    for (std::size_t index = 0; index < checks.size(); ++index) {
      writer.begin_object();
      writer.field("name", std::string_view(checks[index].name));
      writer.field("status", results[index] ? "ok" : "failing");
      writer.end_object();
    }
    writer.end_array();
  }
  writer.end_object();
  co_return;
}

}  // namespace

void add_health_routes(http::Router& router, std::vector<ReadinessCheck> checks) {
  router
      .get("/healthz",
           [](http::Context& context) -> boost::asio::awaitable<void> {
             context.response.set_json(200, R"({"status":"ok"})");
             co_return;
           })
      .name("healthz")
      .public_access()
      .summary("Liveness: 200 while the process serves");
  auto shared_checks = std::make_shared<std::vector<ReadinessCheck>>(std::move(checks));
  router.get("/readyz", [shared_checks](http::Context& context) { return readiness(context, *shared_checks); })
      .name("readyz")
      .public_access()
      .summary("Readiness: 200 when every dependency answers, else 503 naming the failing ones");
}

}  // namespace tachyon::observe
