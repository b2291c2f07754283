// Cursor pagination over HTTP: walking a whole collection page by page while other clients insert
// rows sees every old row exactly once, in order; cursors are opaque and signed, so an altered cursor
// or one reused with another query is a 400. On SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

class AcmePagination : public ::testing::TestWithParam<AcmeBackend> {
 public:
  AcmeDatabase database{GetParam()};
  AcmeServer demo{{"--workers", "2"}, database.environment(), /*demo_data=*/true};
  AcmeServer* server = &demo;

  struct Walk {
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> sort_values;
    int pages = 0;
  };

  // Follows next_cursor from the first page to the end.
  Walk walk(const std::string& first_query, const char* sort_field) {
    Walk result;
    std::string path = "/v1/products?" + first_query;
    while (true) {
      HttpResponse response = server->call("GET", path);
      EXPECT_EQ(response.status, 200) << path << ": " << response.body;
      if (response.status != 200) break;
      Json page(response.body);
      ++result.pages;
      simdjson::dom::array array_1 = page["items"].get_array().value();
      for (simdjson::dom::element product : array_1) {
        result.ids.push_back(product["id"].get_int64().value());
        result.sort_values.push_back(product[sort_field].get_int64().value());
      }
      auto cursor = page.root()["next_cursor"];
      if (cursor.is_null()) break;
      path = "/v1/products?" + first_query + "&cursor=" + std::string(std::string_view(cursor.get_string().value()));
      if (result.pages > 10'000) break;
    }
    return result;
  }

  std::set<std::int64_t> all_ids() {
    Json page(server->call("GET", "/v1/products?page=1&per_page=1").body);
    std::int64_t total = page["total"].get_int64().value();
    std::set<std::int64_t> ids;
    for (std::int64_t number = 1; number <= (total + 99) / 100; ++number) {
      Json part(server->call("GET", "/v1/products?fields=id&per_page=100&page=" + std::to_string(number)).body);
      simdjson::dom::array products = part["items"].get_array().value();
      for (simdjson::dom::element product : products) ids.insert(product["id"].get_int64().value());
    }
    return ids;
  }

  std::string first_cursor(const std::string& query) {
    Json page(server->call("GET", "/v1/products?" + query).body);
    return std::string(std::string_view(page["next_cursor"].get_string().value()));
  }
};

TEST_P(AcmePagination, WalkingWhileRowsAreInsertedSeesEveryOldRowOnceInOrder) {
  std::set<std::int64_t> before = all_ids();
  ASSERT_GE(before.size(), 500u);

  std::atomic<bool> walking{true};
  std::atomic<int> inserted{0};
  std::thread writer([&] {
    // Bounded: at most 300 inserts, each with a price spread over the whole range.
    for (int index = 0; index < 300 && walking.load(); ++index) {
      std::string body = R"({"sku":"SKU-LIVE-)" + unique_suffix() + R"(","name":"Live )" + std::to_string(index) +
                         R"(","category":"books","price_cents":)" + std::to_string((index * 7919) % 50000) +
                         R"(,"stock":1})";
      if (server->call("POST", "/v1/products", body).status == 201) ++inserted;
    }
  });
  // The walk starts once the writer is under way: a walk of 40 pages can otherwise end before the first insert.
  for (int waited = 0; inserted.load() == 0 && waited < 500; ++waited) std::this_thread::sleep_for(10ms);
  Walk by_price = walk("limit=13&sort=-price_cents&fields=id,price_cents", "price_cents");
  walking = false;
  writer.join();
  EXPECT_GT(inserted.load(), 0);

  std::set<std::int64_t> seen(by_price.ids.begin(), by_price.ids.end());
  EXPECT_EQ(seen.size(), by_price.ids.size()) << "a row appeared on two pages";
  for (std::int64_t id : before) EXPECT_TRUE(seen.count(id)) << "old row " << id << " was skipped";
  EXPECT_TRUE(std::is_sorted(by_price.sort_values.rbegin(), by_price.sort_values.rend()))
      << "pages must continue in sort order";
  EXPECT_GT(by_price.pages, static_cast<int>(before.size() / 13));
}

TEST_P(AcmePagination, DefaultOrderWalkIsAscendingById) {
  Walk by_id = walk("limit=50&category=books&fields=id,stock", "id");
  ASSERT_FALSE(by_id.ids.empty());
  EXPECT_TRUE(std::is_sorted(by_id.ids.begin(), by_id.ids.end()));
  EXPECT_EQ(std::set<std::int64_t>(by_id.ids.begin(), by_id.ids.end()).size(), by_id.ids.size());
}

TEST_P(AcmePagination, AlteredCursorIs400) {
  std::string cursor = first_cursor("limit=5&sort=price_cents");
  ASSERT_EQ(server->call("GET", "/v1/products?limit=5&sort=price_cents&cursor=" + cursor).status, 200);
  for (std::size_t position : {std::size_t{0}, cursor.size() / 3, cursor.size() - 1}) {
    std::string altered = cursor;
    altered[position] = altered[position] == 'A' ? 'B' : 'A';
    HttpResponse response = server->call("GET", "/v1/products?limit=5&sort=price_cents&cursor=" + altered);
    EXPECT_EQ(response.status, 400) << "position " << position << ": " << response.body;
    EXPECT_EQ(response.header("content-type"), "application/problem+json");
  }
  EXPECT_EQ(server->call("GET", "/v1/products?cursor=not-a-cursor").status, 400);
  // An empty cursor is the first page (what a client sends when it starts with an empty token).
  EXPECT_EQ(server->call("GET", "/v1/products?limit=3&cursor=").body, server->call("GET", "/v1/products?limit=3").body);
}

TEST_P(AcmePagination, CursorOfAnotherQueryIs400) {
  std::string cursor = first_cursor("limit=5&sort=price_cents");
  EXPECT_EQ(server->call("GET", "/v1/products?limit=5&sort=-price_cents&cursor=" + cursor).status, 400);
  EXPECT_EQ(server->call("GET", "/v1/products?limit=5&sort=price_cents&category=books&cursor=" + cursor).status, 400);
  EXPECT_EQ(server->call("GET", "/v1/users?limit=5&sort=price_cents&cursor=" + cursor).status, 422);  // bad sort
  Json users(server->call("GET", "/v1/users?limit=5").body);
  std::string user_cursor(std::string_view(users["next_cursor"].get_string().value()));
  EXPECT_EQ(server->call("GET", "/v1/products?limit=5&cursor=" + user_cursor).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, AcmePagination, every_backend, backend_name);

}  // namespace
}  // namespace tachyon::testing
