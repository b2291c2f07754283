// Route matching and JSON writing, the two other per-request costs of a typical API call.
#include <benchmark/benchmark.h>

#include "tachyon/http/router.hpp"
#include "tachyon/json/writer.hpp"

namespace {

tachyon::http::Handler noop() {
  return [](tachyon::http::Context&) -> boost::asio::awaitable<void> { co_return; };
}

tachyon::http::Router api_router() {
  tachyon::http::Router router;
  for (const char* resource : {"users", "products", "orders", "posts", "predictions"}) {
    std::string base = std::string("/v1/") + resource;
    router.get(base, noop());
    router.post(base, noop());
    router.get(base + "/{id:int}", noop());
    router.patch(base + "/{id:int}", noop());
    router.del(base + "/{id:int}", noop());
  }
  router.get("/v1/users/{id:int}/orders", noop());
  return router;
}

void router_match_parameter_route(benchmark::State& state) {
  tachyon::http::Router router = api_router();
  tachyon::http::PathParams params;
  for (auto _ : state) {
    auto match = router.match(tachyon::http::Method::get, "/v1/users/12345/orders", params);
    benchmark::DoNotOptimize(match.route);
  }
}
BENCHMARK(router_match_parameter_route);

void json_write_small_object(benchmark::State& state) {
  std::string out;
  for (auto _ : state) {
    out.clear();
    tachyon::json::JsonWriter writer(out);
    writer.begin_object();
    writer.field("id", std::int64_t{12345});
    writer.field("email", "ada@example.com");
    writer.field("name", "Ada Lovelace");
    writer.field("salary_cents", std::int64_t{1234567});
    writer.field("created_at", "2026-11-23T20:00:00Z");
    writer.end_object();
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(json_write_small_object);

}  // namespace
