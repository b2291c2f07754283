// Two Tachyon instances sharing one database and a real redis-server (started here on a free port):
// entries shared through Redis, writes on one instance visible to the very next read on the other,
// one upstream call per cluster, and service through Redis going down and coming back.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/acme_support.hpp"
#include "support/redis_server.hpp"
#include "support/upstream_stub.hpp"

namespace tachyon::testing {
namespace {

std::string product_body(std::string_view name, int stock) {
  return R"({"sku":"SKU-)" + unique_suffix() + R"(","name":")" + std::string(name) +
         R"(","category":"cluster","price_cents":100,"stock":)" + std::to_string(stock) + "}";
}

std::string redis_url(const RedisServer& redis) {
  return "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0";
}

// Waits (bounded) until GET `path` answers `status`.
bool eventually_status(const AcmeServer& server, const std::string& path, int status) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (server.call("GET", path).status == status) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::uint64_t redis_hits(const AcmeServer& server, std::string_view cache_name) {
  Json stats(server.call("GET", "/v1/admin/cache").body);
  simdjson::dom::array caches = stats["caches"].get_array().value();
  for (simdjson::dom::element each : caches) {
    if (std::string_view(each["name"].get_string().value()) == cache_name)
      return each["redis"]["hits"].get_uint64().value();
  }
  return 0;
}

class TwoInstances : public ::testing::Test {
 protected:
  TwoInstances()
      : shared_database_("sqlite:" + (directory_.path() / "shared.db").string()),
        first_({}, environment()),
        second_({}, environment()) {
    // Both connected to Redis before the test speaks to them.
    EXPECT_TRUE(eventually_status(first_, "/readyz", 200));
    EXPECT_TRUE(eventually_status(second_, "/readyz", 200));
  }

  std::map<std::string, std::string> environment(std::map<std::string, std::string> extra = {}) {
    extra.emplace("DATABASE_URL", shared_database_);
    extra.emplace("REDIS_URL", redis_url(redis_));
    // Generous: a loaded CI machine must not turn a slow acknowledgement into a failed assertion.
    extra.emplace("TACHYON_CACHE_INVALIDATION_WAIT", "5s");
    return extra;
  }

  TemporaryDirectory directory_;
  RedisServer redis_;
  std::string shared_database_;
  AcmeServer first_;
  AcmeServer second_;
};

TEST_F(TwoInstances, AnEntryLoadedByOneInstanceIsAHitOnTheOther) {
  std::int64_t id = first_.create("/v1/products", product_body("Shared", 5));
  std::string path = "/v1/products/" + std::to_string(id);
  EXPECT_EQ(first_.call("GET", path).header("x-cache"), "MISS");
  HttpResponse other = second_.call("GET", path);
  EXPECT_EQ(other.header("x-cache"), "HIT");
  EXPECT_EQ(redis_hits(second_, "products"), 1u);
  std::string body;
  for (int attempt = 0; attempt < 200; ++attempt) {  // connected is sampled every 100 ms
    body = second_.call("GET", "/v1/admin/cache").body;
    if (body.find(R"("connected":true)") != std::string::npos) break;
    std::this_thread::sleep_for(50ms);
  }
  Json stats(body);
  ASSERT_TRUE(stats["redis"]["connected"].get_bool().value()) << body;
  EXPECT_GE(stats["redis"]["keys"].get_uint64().value(), 1u);
  EXPECT_GT(stats["redis"]["used_memory_bytes"].get_uint64().value(), 0u);
}

TEST_F(TwoInstances, AWriteOnOneInstanceIsVisibleToTheVeryNextReadOnTheOther) {
  std::int64_t id = first_.create("/v1/products", product_body("Flip", 100));
  std::string path = "/v1/products/" + std::to_string(id);
  std::string list = "/v1/products?category=cluster&limit=100";
  for (int round = 0; round < 20; ++round) {
    // Both instances hold the product and the list page in their local caches...
    first_.call("GET", path);
    second_.call("GET", path);
    second_.call("GET", list);
    ASSERT_EQ(second_.call("GET", path).header("x-cache"), "HIT");
    // ... then one instance writes, and the other's very next read must see it.
    AcmeServer& writer = round % 2 == 0 ? first_ : second_;
    AcmeServer& reader = round % 2 == 0 ? second_ : first_;
    std::string name = "Round " + std::to_string(round);
    ASSERT_EQ(writer.call("PATCH", path, R"({"name":")" + name + R"("})").status, 200);
    HttpResponse read = reader.call("GET", path);
    ASSERT_NE(read.body.find(name), std::string::npos) << "round " << round << ": " << read.body;
    HttpResponse page = reader.call("GET", list);
    ASSERT_NE(page.body.find(name), std::string::npos) << "round " << round;
  }
}

TEST_F(TwoInstances, AnOrderOnOneInstanceShowsInTheStockReadOnTheOther) {
  std::int64_t product = first_.create("/v1/products", product_body("Stock", 10));
  std::int64_t user =
      first_.create("/v1/users", R"({"email":"cluster-)" + unique_suffix() +
                                     R"(@example.com","name":"C","role":"user","department":"d","salary_cents":1})");
  std::string path = "/v1/products/" + std::to_string(product);
  second_.call("GET", path);
  first_.create("/v1/orders", R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" +
                                  std::to_string(product) + R"(,"quantity":4}]})");
  EXPECT_EQ(Json(second_.call("GET", path).body)["stock"].get_int64().value(), 6);
}

TEST_F(TwoInstances, WithRedisDownBothKeepAnsweringAndRecoverWhenItReturns) {
  std::int64_t id = first_.create("/v1/products", product_body("Resilient", 5));
  std::string path = "/v1/products/" + std::to_string(id);
  first_.call("GET", path);
  redis_.kill();
  ASSERT_TRUE(eventually_status(first_, "/readyz", 503));
  HttpResponse ready = first_.call("GET", "/readyz");
  EXPECT_NE(ready.body.find("redis"), std::string::npos) << ready.body;
  // Answers still come from the local cache and the database, writes still work.
  EXPECT_EQ(first_.call("GET", path).status, 200);
  ASSERT_EQ(first_.call("PATCH", path, R"({"name":"Written While Down"})").status, 200);
  EXPECT_NE(first_.call("GET", path).body.find("Written While Down"), std::string::npos);
  EXPECT_NE(second_.call("GET", path).body.find("Written While Down"), std::string::npos);

  redis_.start();
  ASSERT_TRUE(eventually_status(first_, "/readyz", 200));
  ASSERT_TRUE(eventually_status(second_, "/readyz", 200));
  // Cross-instance invalidation works again.
  second_.call("GET", path);
  ASSERT_EQ(first_.call("PATCH", path, R"({"name":"After Recovery"})").status, 200);
  EXPECT_NE(second_.call("GET", path).body.find("After Recovery"), std::string::npos);
}

TEST(RedisAtStart, AnInstanceStartsWithoutRedisAndConnectsWhenItAppears) {
  RedisServer redis;
  std::string url = redis_url(redis);
  redis.kill();
  AcmeServer server({}, {{"REDIS_URL", url}});
  EXPECT_EQ(server.call("GET", "/readyz").status, 503);
  EXPECT_EQ(server.call("GET", "/healthz").status, 200);
  std::int64_t id = server.create("/v1/products", product_body("Early", 1));
  EXPECT_EQ(server.call("GET", "/v1/products/" + std::to_string(id)).status, 200);
  redis.start();
  EXPECT_TRUE(eventually_status(server, "/readyz", 200));
}

TEST(ClusterSingleFlight, ConcurrentMissesOnTwoInstancesCallTheUpstreamOnce) {
  RedisServer redis;
  UpstreamStub upstream;
  upstream.set_delay(300ms);
  std::map<std::string, std::string> environment{{"REDIS_URL", redis_url(redis)},
                                                 {"POSTS_UPSTREAM_URL", upstream.url()}};
  AcmeServer first({}, environment);
  AcmeServer second({}, environment);
  // An instance not yet connected to Redis cannot take the cluster lock and would load by itself.
  ASSERT_TRUE(eventually_status(first, "/readyz", 200));
  ASSERT_TRUE(eventually_status(second, "/readyz", 200));
  std::vector<std::future<HttpResponse>> answers;
  for (int index = 0; index < 16; ++index) {
    const AcmeServer& target = index % 2 == 0 ? first : second;
    answers.push_back(std::async(std::launch::async, [&target] { return target.call("GET", "/v1/posts/7"); }));
  }
  for (auto& answer : answers) {
    HttpResponse response = answer.get();
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, UpstreamStub::post_json(7));
  }
  EXPECT_EQ(upstream.requests(), 1u);
}

}  // namespace
}  // namespace tachyon::testing
