// No list endpoint scans a table: the server runs every filter and sort the API offers (first pages
// and cursor pages) with the slow-query log at 0 ms, and the test asks SQLite's EXPLAIN QUERY PLAN
// about exactly the SQL the server logged, on the server's own database file.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/acme_support.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::testing {
namespace {

struct Collection {
  std::string path;
  std::vector<std::string> sorts;    // every sortable field
  std::vector<std::string> filters;  // one example of every filter
};

const std::vector<Collection> collections = {
    {"/v1/users",
     {"id", "email", "name", "role", "department", "salary_cents", "status", "created_at"},
     {"role=admin", "department=engineering", "status=active", "role=user&status=active"}},
    {"/v1/products",
     {"id", "sku", "name", "category", "price_cents", "stock", "created_at"},
     {"category=books", "min_price=1000", "max_price=20000", "min_price=1000&max_price=20000&category=books",
      "q=lamp"}},
    {"/v1/orders",
     {"id", "user_id", "status", "total_cents", "created_at"},
     {"user_id=3", "status=confirmed", "user_id=3&status=confirmed"}},
    {"/v1/users/3/orders", {"id", "status", "total_cents", "created_at"}, {"status=confirmed"}},
};

// The `sql` of every "slow query" line in the server's JSON log.
std::set<std::string> logged_statements(const std::string& log) {
  std::set<std::string> statements;
  std::istringstream lines(log);
  simdjson::dom::parser parser;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"slow query\"") == std::string::npos) continue;
    simdjson::dom::element entry;
    if (parser.parse(line).get(entry)) continue;
    std::string_view sql;
    if (!entry["sql"].get(sql)) statements.emplace(sql);
  }
  return statements;
}

// The EXPLAIN QUERY PLAN detail lines of `sql`.
std::vector<std::string> plan_of(db::Connection& connection, const std::string& sql) {
  std::vector<std::string> details;
  db::Statement explain = connection.prepare("EXPLAIN QUERY PLAN " + sql);
  while (explain.step()) details.emplace_back(explain.text(3));
  return details;
}

// "SCAN users" with no index is a table scan; "SCAN users USING INDEX ..." walks an index in sort order
// and stops at LIMIT; "SEARCH ..." uses an index to find rows.
bool is_table_scan(const std::string& detail) {
  if (!detail.starts_with("SCAN ")) return false;
  return detail.find(" USING ") == std::string::npos && detail.find("VIRTUAL TABLE") == std::string::npos;
}

// Whether `sql` reads one of the collections the list endpoints serve.
bool reads_a_collection(const std::string& sql) {
  for (const char* table : {" FROM users", " FROM products", " FROM orders"}) {
    std::size_t at = sql.find(table);
    if (at == std::string::npos) continue;
    char after = at + std::strlen(table) < sql.size() ? sql[at + std::strlen(table)] : ' ';
    if (after == ' ' || after == ',') return true;
  }
  return false;
}

TEST(AcmeQueryPlan, NoListQueryScansATable) {
  AcmeServer server({"--slow-query-ms", "0"}, {}, /*demo_data=*/true);
  int requests = 0;
  for (const Collection& collection : collections) {
    std::vector<std::string> filter_sets = collection.filters;
    filter_sets.insert(filter_sets.begin(), "");
    for (const std::string& filter : filter_sets) {
      for (const std::string& sort : collection.sorts) {
        for (const char* direction : {"", "-"}) {
          std::string query =
              collection.path + "?limit=2&sort=" + direction + sort + (filter.empty() ? "" : "&") + filter;
          HttpResponse first = server.call("GET", query);
          ASSERT_EQ(first.status, 200) << query << ": " << first.body;
          ++requests;
          Json page(first.body);
          auto cursor = page.root()["next_cursor"];
          if (cursor.is_string()) {
            std::string next = query + "&cursor=" + std::string(std::string_view(cursor.get_string().value()));
            ASSERT_EQ(server.call("GET", next).status, 200) << next;
            ++requests;
          }
        }
      }
    }
  }
  // The log arrives through a pipe read by another thread: wait until it stops growing.
  std::string log = server.process().output();
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string newer = server.process().output();
    if (newer.size() == log.size()) break;
    log = std::move(newer);
  }
  std::set<std::string> statements = logged_statements(log);
  db::SqliteConnection connection(db::ConnectionOptions{.path = server.database_file().string(), .read_only = true});
  int page_queries = 0;
  for (const std::string& sql : statements) {
    if (sql.find(" LIMIT ") == std::string::npos) continue;  // page queries; the items query is by order id
    if (!reads_a_collection(sql)) continue;  // e.g. the key ring's current-key lookup on a table of a few rows
    ++page_queries;
    for (const std::string& detail : plan_of(connection, sql)) {
      bool first_page_in_id_order =
          sql.find(" WHERE ") == std::string::npos && sql.find("ORDER BY id") != std::string::npos;
      if (first_page_in_id_order) continue;  // reads LIMIT+1 rows in rowid order and stops
      EXPECT_FALSE(is_table_scan(detail)) << detail << "\n  for: " << sql;
    }
  }
  EXPECT_GT(page_queries, 40) << "expected the log to hold the page queries of " << requests << " requests";
}

TEST(AcmeQueryPlan, EmbeddedItemsAreFoundByIndex) {
  AcmeServer server({"--slow-query-ms", "0"}, {}, /*demo_data=*/true);
  ASSERT_EQ(server.call("GET", "/v1/orders?limit=10").status, 200);
  std::set<std::string> statements =
      logged_statements(server.process().wait_for_output("FROM order_items WHERE order_id IN"));
  db::SqliteConnection connection(db::ConnectionOptions{.path = server.database_file().string(), .read_only = true});
  int item_queries = 0;
  for (const std::string& sql : statements) {
    if (!sql.starts_with("SELECT") || sql.find("FROM order_items WHERE order_id IN") == std::string::npos) continue;
    ++item_queries;
    for (const std::string& detail : plan_of(connection, sql))
      EXPECT_FALSE(is_table_scan(detail)) << detail << "\n  for: " << sql;
  }
  EXPECT_EQ(item_queries, 1);
}

}  // namespace
}  // namespace tachyon::testing
