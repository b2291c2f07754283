// Acme's caching in one instance, over HTTP: X-Cache on every cacheable answer, ETag/304 from the
// cache, writes that are visible to the very next read of the resource and of every list, the admin
// endpoints, the cache metrics, and a route whose cache is off.
#include <gtest/gtest.h>

#include <string>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

std::string product_body(std::string_view name, int price, int stock) {
  return R"({"sku":"SKU-)" + unique_suffix() + R"(","name":")" + std::string(name) + R"(","category":"cache-test",)" +
         R"("price_cents":)" + std::to_string(price) + R"(,"stock":)" + std::to_string(stock) + "}";
}

std::string user_body() {
  return R"({"email":"cache-)" + unique_suffix() + R"(@example.com","name":"Cache Tester","role":"user",)" +
         R"("department":"qa","salary_cents":100})";
}

class AcmeCache : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new AcmeServer(); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static HttpResponse get(const std::string& path, std::string_view headers = "") {
    return server->call("GET", path, "", headers);
  }
  static std::int64_t stock_in(const HttpResponse& response) {
    return Json(response.body)["stock"].get_int64().value();
  }
  static AcmeServer* server;
};
AcmeServer* AcmeCache::server = nullptr;

TEST_F(AcmeCache, ASecondReadOfAProductIsAHitWithTheSameBodyAndETag) {
  std::int64_t id = server->create("/v1/products", product_body("Cached Lamp", 1200, 5));
  std::string path = "/v1/products/" + std::to_string(id);
  HttpResponse first = get(path);
  HttpResponse second = get(path);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.header("x-cache"), "MISS");
  EXPECT_EQ(second.header("x-cache"), "HIT");
  EXPECT_EQ(second.body, first.body);
  EXPECT_FALSE(first.header("etag").empty());
  EXPECT_EQ(second.header("etag"), first.header("etag"));
}

TEST_F(AcmeCache, IfNoneMatchIsAnsweredFromTheCacheWith304) {
  std::int64_t id = server->create("/v1/products", product_body("Conditional Lamp", 1300, 5));
  std::string path = "/v1/products/" + std::to_string(id);
  std::string etag = get(path).header("etag");
  HttpResponse not_modified = get(path, "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(not_modified.header("x-cache"), "HIT");
}

TEST_F(AcmeCache, APatchIsVisibleToTheNextReadOfTheProductAndOfItsList) {
  std::int64_t id = server->create("/v1/products", product_body("Before Patch", 1400, 5));
  std::string path = "/v1/products/" + std::to_string(id);
  std::string list = "/v1/products?category=cache-test&limit=100";
  get(path);
  get(list);
  EXPECT_EQ(get(list).header("x-cache"), "HIT");
  HttpResponse patched = server->call("PATCH", path, R"({"name":"After Patch"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  HttpResponse read = get(path);
  EXPECT_EQ(read.header("x-cache"), "MISS");
  EXPECT_NE(read.body.find("After Patch"), std::string::npos);
  HttpResponse page = get(list);
  EXPECT_EQ(page.header("x-cache"), "MISS");
  EXPECT_NE(page.body.find("After Patch"), std::string::npos);
  EXPECT_EQ(page.body.find("Before Patch"), std::string::npos);
}

TEST_F(AcmeCache, ANewProductAppearsInTheNextListPage) {
  std::string list = "/v1/products?category=cache-test&sort=-id&limit=5";
  get(list);
  std::int64_t id = server->create("/v1/products", product_body("Brand New", 1500, 5));
  HttpResponse page = get(list);
  EXPECT_NE(page.body.find("\"id\":" + std::to_string(id) + ","), std::string::npos) << page.body;
}

TEST_F(AcmeCache, OrdersAndCancellationsShowInTheNextProductRead) {
  std::int64_t product = server->create("/v1/products", product_body("Stocked", 1600, 10));
  std::int64_t user = server->create("/v1/users", user_body());
  std::string path = "/v1/products/" + std::to_string(product);
  EXPECT_EQ(stock_in(get(path)), 10);
  EXPECT_EQ(get(path).header("x-cache"), "HIT");
  std::int64_t order =
      server->create("/v1/orders", R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" +
                                       std::to_string(product) + R"(,"quantity":3}]})");
  EXPECT_EQ(stock_in(get(path)), 7);
  HttpResponse cancelled = server->call("POST", "/v1/orders/" + std::to_string(order) + "/cancel");
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(stock_in(get(path)), 10);
}

TEST_F(AcmeCache, ADeletedProductIsGoneAtTheNextRead) {
  std::int64_t id = server->create("/v1/products", product_body("Doomed", 1700, 1));
  std::string path = "/v1/products/" + std::to_string(id);
  get(path);
  EXPECT_EQ(get(path).header("x-cache"), "HIT");
  EXPECT_EQ(server->call("DELETE", path).status, 204);
  EXPECT_EQ(get(path).status, 404);
}

TEST_F(AcmeCache, UserReadsAreCachedAndWritesInvalidateThem) {
  std::int64_t id = server->create("/v1/users", user_body());
  std::string path = "/v1/users/" + std::to_string(id);
  EXPECT_EQ(get(path).header("x-cache"), "MISS");
  EXPECT_EQ(get(path).header("x-cache"), "HIT");
  ASSERT_EQ(server->call("PATCH", path, R"({"department":"research"})").status, 200);
  HttpResponse read = get(path);
  EXPECT_EQ(read.header("x-cache"), "MISS");
  EXPECT_NE(read.body.find("research"), std::string::npos);
  ASSERT_EQ(server->call("DELETE", path).status, 204);
  EXPECT_EQ(get(path).status, 404);
}

TEST_F(AcmeCache, ANotFoundAnswerIsNeverCached) {
  HttpResponse first = get("/v1/products/987654321");
  EXPECT_EQ(first.status, 404);
  EXPECT_FALSE(first.has_header("x-cache"));
  EXPECT_EQ(get("/v1/products/987654321").status, 404);
}

TEST_F(AcmeCache, PredictionsAreCachedByTheirInputWhateverItsSpelling) {
  HttpResponse first = server->call("POST", "/v1/predict",
                                    R"({"sepal_length":6.7,"sepal_width":3.1,"petal_length":5.6,"petal_width":2.4})");
  ASSERT_EQ(first.status, 200) << first.body;
  HttpResponse second = server->call(
      "POST", "/v1/predict", R"({"petal_width":2.40, "petal_length":5.6,"sepal_width":3.10,"sepal_length":67e-1})");
  EXPECT_EQ(first.header("x-cache"), "MISS");
  EXPECT_EQ(second.header("x-cache"), "HIT");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(server->call("POST", "/v1/predict", R"({"sepal_length":0})").status, 422);
}

TEST_F(AcmeCache, TheAdminEndpointShowsEachCacheAndInvalidatesByKeyAndTag) {
  std::int64_t id = server->create("/v1/products", product_body("Admin Visible", 1800, 2));
  std::string path = "/v1/products/" + std::to_string(id);
  get(path);
  get(path);
  HttpResponse stats = get("/v1/admin/cache");
  ASSERT_EQ(stats.status, 200) << stats.body;
  Json document(stats.body);
  bool found_products = false;
  simdjson::dom::array caches = document["caches"].get_array().value();
  for (simdjson::dom::element each : caches) {
    if (std::string_view(each["name"].get_string().value()) != "products") continue;
    found_products = true;
    EXPECT_GE(each["local"]["entries"].get_uint64().value(), 1u);
    EXPECT_GE(each["local"]["hits"].get_uint64().value(), 1u);
    EXPECT_GT(each["local"]["hit_ratio"].get_double().value(), 0.0);
    EXPECT_EQ(std::string_view(each["policy"].get_string().value()), "w-tinylfu");
  }
  EXPECT_TRUE(found_products) << stats.body;

  HttpResponse dropped = server->call("DELETE", "/v1/admin/cache?key=products:" + std::to_string(id));
  EXPECT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_EQ(get(path).header("x-cache"), "MISS");

  std::string list = "/v1/products?category=cache-test";
  get(list);
  EXPECT_EQ(get(list).header("x-cache"), "HIT");
  EXPECT_EQ(server->call("DELETE", "/v1/admin/cache?tag=products:list").status, 200);
  EXPECT_EQ(get(list).header("x-cache"), "MISS");
  EXPECT_EQ(server->call("DELETE", "/v1/admin/cache").status, 422);
}

TEST_F(AcmeCache, TheMetricsCountHitsAndMissesPerCache) {
  std::int64_t id = server->create("/v1/products", product_body("Counted", 1900, 2));
  get("/v1/products/" + std::to_string(id));
  get("/v1/products/" + std::to_string(id));
  std::string metrics = get("/metrics").body;
  EXPECT_NE(metrics.find(R"(tachyon_cache_requests_total{cache="products",tier="local",result="hit"})"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(tachyon_cache_entries{cache="products"})"), std::string::npos);
  EXPECT_NE(metrics.find(R"(tachyon_cache_evictions_total{cache="product_lists",reason="size"})"), std::string::npos);
}

TEST(AcmeCacheSettings, ARouteWhoseCacheIsOffAnswersWithoutXCache) {
  AcmeServer server({}, {{"TACHYON_CACHE_PRODUCTS", "off"}});
  std::int64_t id = server.create("/v1/products", product_body("Uncached", 2000, 1));
  HttpResponse read = server.call("GET", "/v1/products/" + std::to_string(id));
  EXPECT_EQ(read.status, 200);
  EXPECT_FALSE(read.has_header("x-cache"));
  EXPECT_FALSE(read.header("etag").empty());
}

TEST(AcmeCacheSettings, AMalformedCacheSettingStopsTheServerWithOneLine) {
  CommandResult result = run_tachyon({"serve"}, {{"TACHYON_CACHE_POSTS", "ttl=fast"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("TACHYON_CACHE_POSTS"), std::string::npos) << result.standard_error;
}

}  // namespace
}  // namespace tachyon::testing
