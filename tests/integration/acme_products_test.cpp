// The products resource over HTTP: create and its rules, unique sku, the price/category filters, the
// case-insensitive name search `q`, and deletion rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

std::string product_body(const std::string& sku, std::string_view name, std::string_view category, int price,
                         int stock = 10) {
  return R"({"sku":")" + sku + R"(","name":")" + std::string(name) + R"(","category":")" + std::string(category) +
         R"(","price_cents":)" + std::to_string(price) + R"(,"stock":)" + std::to_string(stock) + "}";
}

class AcmeProducts : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  void SetUp() override {
    owned_server = std::make_unique<AcmeServer>(std::vector<std::string>{}, database.environment());
    server = owned_server.get();
    for (auto [name, category, price] : std::initializer_list<std::tuple<const char*, const char*, int>>{
             {"Steel Kettle", "kitchen", 2500},
             {"Electric KETTLE Pro", "kitchen", 8900},
             {"Kettlebell 16kg", "sports", 4000},
             {"Teapot", "kitchen", 1500},
             {"Yoga Mat", "sports", 3000},
         }) {
      server->create("/v1/products", product_body("SKU-" + unique_suffix(), name, category, price));
    }
  }
  std::vector<std::string> names(const std::string& query) {
    HttpResponse response = server->call("GET", "/v1/products?" + query);
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    std::vector<std::string> result;
    Json page(response.body);
    simdjson::dom::array array_1 = page["items"].get_array().value();
    for (simdjson::dom::element product : array_1) {
      result.emplace_back(std::string_view(product["name"].get_string().value()));
    }
    return result;
  }
  AcmeDatabase database{GetParam()};
  std::unique_ptr<AcmeServer> owned_server;
  AcmeServer* server = nullptr;
};

TEST_P(AcmeProducts, CreateReturnsTheProductAndGetFindsIt) {
  HttpResponse created =
      server->call("POST", "/v1/products", product_body("SKU-" + unique_suffix(), "Lamp", "home", 999, 3));
  ASSERT_EQ(created.status, 201) << created.body;
  Json product(created.body);
  EXPECT_EQ(product["price_cents"].get_int64().value(), 999);
  EXPECT_EQ(product["stock"].get_int64().value(), 3);
  EXPECT_EQ(server->call("GET", created.header("location")).body, created.body);
}

TEST_P(AcmeProducts, DuplicateSkuIs409) {
  std::string sku = "SKU-" + unique_suffix();
  server->create("/v1/products", product_body(sku, "Chair", "home", 100));
  EXPECT_EQ(server->call("POST", "/v1/products", product_body(sku, "Other chair", "home", 200)).status, 409);
}

TEST_P(AcmeProducts, NegativePriceAndStockAre422) {
  HttpResponse response =
      server->call("POST", "/v1/products", product_body("SKU-" + unique_suffix(), "X", "home", -1, -5));
  ASSERT_EQ(response.status, 422);
  auto fields = failing_fields(response);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "price_cents"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "stock"), fields.end());
}

TEST_P(AcmeProducts, CategoryAndPriceRangeFilter) {
  auto kitchen = names("category=kitchen&min_price=2000&max_price=9000&sort=price_cents");
  EXPECT_EQ(kitchen, (std::vector<std::string>{"Steel Kettle", "Electric KETTLE Pro"}));
  EXPECT_EQ(names("category=sports&sort=-price_cents"), (std::vector<std::string>{"Kettlebell 16kg", "Yoga Mat"}));
  EXPECT_TRUE(names("min_price=100000").empty());
}

TEST_P(AcmeProducts, QueryMatchesNamesCaseInsensitively) {
  auto matches = names("q=kettle&sort=name");
  EXPECT_EQ(matches, (std::vector<std::string>{"Electric KETTLE Pro", "Kettlebell 16kg", "Steel Kettle"}));
  EXPECT_EQ(names("q=KETTLE&category=kitchen&sort=name"),
            (std::vector<std::string>{"Electric KETTLE Pro", "Steel Kettle"}));
  EXPECT_EQ(names("q=ettleb"), (std::vector<std::string>{"Kettlebell 16kg"}));
  // Quotes and FTS operators in q are text, not query syntax.
  EXPECT_TRUE(names("q=%22kettle%22%20OR%20mat").empty());
}

TEST_P(AcmeProducts, InvalidFiltersAre422) {
  for (const char* query : {"min_price=-1", "max_price=abc", "q=ab", "sort=stockx"}) {
    HttpResponse response = server->call("GET", std::string("/v1/products?") + query);
    EXPECT_EQ(response.status, 422) << query << ": " << response.body;
  }
}

TEST_P(AcmeProducts, ProductInAnOrderCannotBeDeletedOthersCan) {
  std::int64_t user =
      server->create("/v1/users", R"({"email":"p)" + unique_suffix() +
                                      R"(@example.com","name":"P","role":"user","department":"d","salary_cents":1})");
  std::int64_t ordered = server->create("/v1/products", product_body("SKU-" + unique_suffix(), "Ordered", "home", 100));
  std::int64_t unused = server->create("/v1/products", product_body("SKU-" + unique_suffix(), "Unused", "home", 100));
  server->create("/v1/orders", R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" +
                                   std::to_string(ordered) + R"(,"quantity":1}]})");
  EXPECT_EQ(server->call("DELETE", "/v1/products/" + std::to_string(ordered)).status, 409);
  EXPECT_EQ(server->call("DELETE", "/v1/products/" + std::to_string(unused)).status, 204);
  EXPECT_EQ(server->call("GET", "/v1/products/" + std::to_string(unused)).status, 404);
}

TEST_P(AcmeProducts, PatchedNameIsFoundBySearch) {
  std::int64_t id = server->create("/v1/products", product_body("SKU-" + unique_suffix(), "Plain Box", "home", 100));
  ASSERT_EQ(server->call("PATCH", "/v1/products/" + std::to_string(id), R"({"name":"Zanzibar Crate"})").status, 200);
  EXPECT_EQ(names("q=zanzibar"), std::vector<std::string>{"Zanzibar Crate"});
  EXPECT_TRUE(names("q=plain%20box").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AcmeProducts, every_backend, backend_name);

}  // namespace
}  // namespace tachyon::testing
