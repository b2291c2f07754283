// The orders resource over HTTP: placing an order takes stock in the same transaction, never oversells
// under many parallel clients, cancel restores stock, and list pages embed items with a constant number
// of statements (read from the Server-Timing header's `db;desc="N statements"`).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

class AcmeOrders : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  AcmeDatabase database{GetParam()};
  // Server-Timing is on so tests can read how many statements a request ran.
  AcmeServer server{{"--workers", "2", "--server-timing", "true"}, database.environment()};

  std::int64_t new_user() {
    return server.create("/v1/users",
                         R"({"email":"o)" + unique_suffix() +
                             R"(@example.com","name":"O","role":"user","department":"d","salary_cents":1})");
  }
  std::int64_t new_product(int price, int stock) {
    return server.create("/v1/products", R"({"sku":"SKU-)" + unique_suffix() + R"(","name":"Thing )" + unique_suffix() +
                                             R"(","category":"misc","price_cents":)" + std::to_string(price) +
                                             R"(,"stock":)" + std::to_string(stock) + "}");
  }
  std::int64_t stock_of(std::int64_t product) {
    return Json(server.call("GET", "/v1/products/" + std::to_string(product)).body)["stock"].get_int64().value();
  }
  static std::string order_body(std::int64_t user, std::vector<std::pair<std::int64_t, int>> lines) {
    std::string body = R"({"user_id":)" + std::to_string(user) + R"(,"items":[)";
    for (std::size_t index = 0; index < lines.size(); ++index) {
      body += (index ? "," : "") + std::string(R"({"product_id":)") + std::to_string(lines[index].first) +
              R"(,"quantity":)" + std::to_string(lines[index].second) + "}";
    }
    return body + "]}";
  }
};

// "db;dur=0.123;desc=\"2 statements\"" -> 2; -1 when absent.
int statements_in(const HttpResponse& response) {
  std::string timing = response.header("server-timing");
  std::size_t at = timing.find("db;");
  if (at == std::string::npos) return -1;
  std::size_t desc = timing.find("desc=\"", at);
  if (desc == std::string::npos) return -1;
  return std::stoi(timing.substr(desc + 6));
}

TEST_P(AcmeOrders, PlacingAnOrderTakesStockAndPricesTheItems) {
  std::int64_t user = new_user();
  std::int64_t lamp = new_product(1250, 10);
  std::int64_t desk = new_product(40000, 2);
  HttpResponse created = server.call("POST", "/v1/orders", order_body(user, {{lamp, 3}, {desk, 1}}));
  ASSERT_EQ(created.status, 201) << created.body;
  Json order(created.body);
  EXPECT_EQ(order["user_id"].get_int64().value(), user);
  EXPECT_EQ(order["total_cents"].get_int64().value(), 3 * 1250 + 40000);
  EXPECT_EQ(std::string_view(order["status"].get_string().value()), "confirmed");
  auto items = order["items"].get_array().value();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items.at(0)["product_id"].get_int64().value(), lamp);
  EXPECT_EQ(items.at(0)["quantity"].get_int64().value(), 3);
  EXPECT_EQ(items.at(0)["unit_price_cents"].get_int64().value(), 1250);
  EXPECT_TRUE(items.at(0)["name"].is_string());
  EXPECT_EQ(stock_of(lamp), 7);
  EXPECT_EQ(stock_of(desk), 1);
  EXPECT_EQ(server.call("GET", created.header("location")).body, created.body);
  if (PostgresServer* postgres = database.postgres()) {  // the rows are in PostgreSQL, not in a file
    EXPECT_EQ(postgres->psql("SELECT stock FROM products WHERE id = " + std::to_string(lamp)), "7");
    EXPECT_EQ(postgres->psql("SELECT SUM(quantity) FROM order_items"), "4");
  }
}

TEST_P(AcmeOrders, NotEnoughStockIs409AndNothingChanges) {
  std::int64_t user = new_user();
  std::int64_t plenty = new_product(100, 50);
  std::int64_t scarce = new_product(100, 1);
  HttpResponse refused = server.call("POST", "/v1/orders", order_body(user, {{plenty, 5}, {scarce, 2}}));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(stock_of(plenty), 50) << "the first line's stock must be rolled back";
  EXPECT_EQ(stock_of(scarce), 1);
  Json orders(server.call("GET", "/v1/orders?user_id=" + std::to_string(user)).body);
  EXPECT_EQ(orders["items"].get_array().value().size(), 0u);
}

TEST_P(AcmeOrders, UnknownUserOrProductAndBadQuantitiesAre422) {
  std::int64_t user = new_user();
  std::int64_t product = new_product(100, 5);
  auto unknown_user = server.call("POST", "/v1/orders", order_body(987654, {{product, 1}}));
  EXPECT_EQ(unknown_user.status, 422);
  EXPECT_EQ(failing_fields(unknown_user), std::vector<std::string>{"user_id"});
  auto unknown_product = server.call("POST", "/v1/orders", order_body(user, {{product, 1}, {987654, 1}}));
  EXPECT_EQ(unknown_product.status, 422);
  EXPECT_EQ(failing_fields(unknown_product), std::vector<std::string>{"items[1].product_id"});
  auto zero = server.call("POST", "/v1/orders", order_body(user, {{product, 0}}));
  EXPECT_EQ(zero.status, 422);
  EXPECT_EQ(failing_fields(zero), std::vector<std::string>{"items[0].quantity"});
  EXPECT_EQ(server.call("POST", "/v1/orders", order_body(user, {})).status, 422);
  EXPECT_EQ(server.call("POST", "/v1/orders", order_body(user, {{product, 1}, {product, 2}})).status, 422);
  EXPECT_EQ(stock_of(product), 5);
}

TEST_P(AcmeOrders, CancelRestoresStockOnceThenIs409) {
  std::int64_t user = new_user();
  std::int64_t product = new_product(300, 10);
  std::int64_t order = server.create("/v1/orders", order_body(user, {{product, 4}}));
  ASSERT_EQ(stock_of(product), 6);
  std::string cancel_path = "/v1/orders/" + std::to_string(order) + "/cancel";
  HttpResponse cancelled = server.call("POST", cancel_path);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(std::string_view(Json(cancelled.body)["status"].get_string().value()), "cancelled");
  EXPECT_EQ(stock_of(product), 10);
  EXPECT_EQ(server.call("POST", cancel_path).status, 409);
  EXPECT_EQ(stock_of(product), 10);
  EXPECT_EQ(server.call("POST", "/v1/orders/987654/cancel").status, 404);
}

TEST_P(AcmeOrders, ParallelClientsNeverOversell) {
  constexpr int stock = 40;
  constexpr int clients = 12;
  constexpr int orders_per_client = 8;  // 96 attempts for 40 units
  std::int64_t product = new_product(100, stock);
  std::vector<std::int64_t> users;
  for (int client = 0; client < clients; ++client) users.push_back(new_user());
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int client = 0; client < clients; ++client) {
    threads.emplace_back([&, client] {
      for (int attempt = 0; attempt < orders_per_client; ++attempt) {
        int status = server.call("POST", "/v1/orders", order_body(users[client], {{product, 1}})).status;
        (status == 201 ? accepted : status == 409 ? refused : other)++;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), stock);
  EXPECT_EQ(refused.load(), clients * orders_per_client - stock);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stock_of(product), 0);
  Json page(server.call("GET", "/v1/orders?status=confirmed&page=1&per_page=1").body);
  EXPECT_GE(page["total"].get_int64().value(), stock);
}

TEST_P(AcmeOrders, ParallelCancelsOfOneOrderGiveTheStockBackOnce) {
  constexpr int clients = 8;
  std::int64_t user = new_user();
  std::int64_t product = new_product(100, 10);
  std::int64_t order = server.create("/v1/orders", order_body(user, {{product, 3}}));
  ASSERT_EQ(stock_of(product), 7);
  std::string cancel_path = "/v1/orders/" + std::to_string(order) + "/cancel";
  std::atomic<int> cancelled{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int client = 0; client < clients; ++client) {
    threads.emplace_back([&] {
      HttpResponse response = server.call("POST", cancel_path);
      (response.status == 200 ? cancelled : response.status == 409 ? refused : other)++;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(cancelled.load(), 1);
  EXPECT_EQ(refused.load(), clients - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stock_of(product), 10);  // 3 back once, not 3 per cancel
}

TEST_P(AcmeOrders, ListsEmbedItemsWithAConstantNumberOfStatements) {
  std::int64_t user = new_user();
  std::vector<std::int64_t> products;
  for (int index = 0; index < 3; ++index) products.push_back(new_product(100 + index, 100));
  for (int index = 0; index < 30; ++index) {
    server.create("/v1/orders", order_body(user, {{products[index % 3], 1}, {products[(index + 1) % 3], 2}}));
  }
  std::string base = "/v1/users/" + std::to_string(user) + "/orders";
  HttpResponse small = server.call("GET", base + "?limit=2");
  HttpResponse large = server.call("GET", base + "?limit=30");
  ASSERT_EQ(large.status, 200) << large.body;
  Json page(large.body);
  auto orders = page["items"].get_array().value();
  ASSERT_EQ(orders.size(), 30u);
  for (simdjson::dom::element order : orders) {
    EXPECT_EQ(order["user_id"].get_int64().value(), user);
    EXPECT_EQ(order["items"].get_array().value().size(), 2u);
  }
  int small_count = statements_in(small);
  ASSERT_GT(small_count, 0) << "Server-Timing: " << small.header("server-timing");
  EXPECT_EQ(statements_in(large), small_count) << "statements must not grow with the page size";
  EXPECT_LE(small_count, 3);  // the user check, the page, the items of every order on it

  HttpResponse all_small = server.call("GET", "/v1/orders?limit=1");
  HttpResponse all_large = server.call("GET", "/v1/orders?limit=25");
  EXPECT_EQ(statements_in(all_small), 2);
  EXPECT_EQ(statements_in(all_large), 2);
  EXPECT_EQ(statements_in(server.call("GET", "/v1/orders?page=2&per_page=10")), 3);  // plus the count

  Json no_items(server.call("GET", base + "?fields=id,total_cents&limit=5").body);
  simdjson::dom::array array_1 = no_items["items"].get_array().value();
  for (simdjson::dom::element order : array_1) {
    EXPECT_TRUE(order["items"].error()) << "items were not asked for";
  }
}

TEST_P(AcmeOrders, UserOrdersOfAnUnknownUserIs404AndFiltersAreChecked) {
  EXPECT_EQ(server.call("GET", "/v1/users/987654/orders").status, 404);
  EXPECT_EQ(server.call("GET", "/v1/orders?status=shipped").status, 422);
  EXPECT_EQ(server.call("GET", "/v1/orders?user_id=-3").status, 422);
}

INSTANTIATE_TEST_SUITE_P(Backends, AcmeOrders, every_backend, backend_name);

}  // namespace
}  // namespace tachyon::testing
