#include "app/acme/seed.hpp"

#include <array>
#include <random>
#include <stdexcept>
#include <string>

#include "tachyon/core/timestamp.hpp"

namespace tachyon::app::acme {

namespace {

constexpr std::int64_t batch_size = 10'000;  // rows per transaction: large enough to amortise the commit

constexpr std::array first_names = {"Ada",      "Grace",  "Alan",  "Edsger", "Barbara", "Donald", "Frances",   "Ken",
                                    "Margaret", "Dennis", "Radia", "Linus",  "Hedy",    "Tim",    "Katherine", "John"};
constexpr std::array last_names = {"Lovelace", "Hopper",      "Turing",   "Dijkstra", "Liskov",  "Knuth",
                                   "Allen",    "Thompson",    "Hamilton", "Ritchie",  "Perlman", "Torvalds",
                                   "Lamarr",   "Berners-Lee", "Johnson",  "Backus"};
constexpr std::array departments = {"engineering", "sales", "marketing", "finance", "support", "operations"};
constexpr std::array categories = {"books", "electronics", "garden", "kitchen", "toys", "sports", "music", "tools"};
constexpr std::array adjectives = {"Compact", "Deluxe", "Rugged", "Classic", "Smart", "Portable", "Silent", "Bright"};
constexpr std::array nouns = {"Kettle", "Lamp",   "Drill",  "Speaker", "Notebook", "Backpack",
                              "Chair",  "Puzzle", "Guitar", "Racket",  "Planter",  "Blender"};

template <class Array>
const char* pick(const Array& options, std::mt19937_64& random) {
  return options[random() % options.size()];
}

std::int64_t count_rows(db::Connection& connection, const char* sql) {
  db::Statement statement = connection.prepare(sql);
  statement.step();
  return statement.integer(0);
}

// Runs `insert_one(index)` for `count` rows, committing every batch_size rows.
template <class InsertOne>
void insert_batched(db::Connection& connection, std::int64_t count, InsertOne insert_one) {
  for (std::int64_t start = 0; start < count; start += batch_size) {
    std::int64_t end = std::min(count, start + batch_size);
    connection.transaction([&] {
      for (std::int64_t index = start; index < end; ++index) insert_one(index);
    });
  }
}

// Timestamps spread over the past year, so lists sorted by created_at look real.
std::string past_timestamp(std::mt19937_64& random) {
  auto offset = std::chrono::seconds(random() % (365LL * 24 * 3600));
  return core::format_rfc3339(std::chrono::system_clock::now() - offset);
}

}  // namespace

bool database_is_empty(db::Connection& connection) {
  return count_rows(connection, "SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM products)") == 0;
}

namespace {

// Bulk loading without waiting for the disk at each commit (a crash mid-seed loses only demo rows), then
// the server's settings again and fresh planner statistics. SQLite: synchronous=OFF and a 64 MiB page
// cache; PostgreSQL: synchronous_commit off for this session, then ANALYZE.
class BulkLoadSettings {
 public:
  explicit BulkLoadSettings(db::Connection& connection) : connection_(connection) {
    connection_.execute_script(sqlite() ? "PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
                                        : "SET synchronous_commit = off");
  }
  ~BulkLoadSettings() {
    try {
      connection_.execute_script(sqlite() ? "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000; PRAGMA optimize;"
                                          : "RESET synchronous_commit; ANALYZE users, products, orders, order_items");
    } catch (...) {
    }
  }
  BulkLoadSettings(const BulkLoadSettings&) = delete;
  BulkLoadSettings& operator=(const BulkLoadSettings&) = delete;

 private:
  bool sqlite() const { return connection_.dialect() == db::Dialect::sqlite; }
  db::Connection& connection_;
};

}  // namespace

SeedCounts seed_demo_data(db::Connection& connection, const SeedCounts& wanted, std::uint64_t random_seed) {
  BulkLoadSettings bulk_load(connection);
  std::mt19937_64 random(random_seed);
  std::int64_t first_user = count_rows(connection, "SELECT COALESCE(MAX(id), 0) FROM users") + 1;

  insert_batched(connection, wanted.users, [&](std::int64_t index) {
    std::string first = pick(first_names, random);
    std::string last = pick(last_names, random);
    std::string created = past_timestamp(random);
    static constexpr const char* roles[] = {"user", "user", "user", "user", "manager", "admin"};
    std::string email = first + "." + last + "." + std::to_string(first_user + index) + "@example.com";
    for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    connection
        .prepare(
            "INSERT INTO users (email, name, role, department, salary_cents, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, std::string_view(email))
        .bind(2, std::string_view(first + " " + last))
        .bind(3, roles[random() % 6])
        .bind(4, pick(departments, random))
        .bind(5, static_cast<std::int64_t>(3'000'000 + random() % 15'000'000))
        .bind(6, random() % 20 == 0 ? "disabled" : "active")
        .bind(7, std::string_view(created))
        .bind(8, std::string_view(created))
        .run();
  });

  std::int64_t first_product = count_rows(connection, "SELECT COALESCE(MAX(id), 0) FROM products") + 1;
  insert_batched(connection, wanted.products, [&](std::int64_t index) {
    std::string name =
        std::string(pick(adjectives, random)) + " " + pick(nouns, random) + " " + std::to_string(first_product + index);
    std::string created = past_timestamp(random);
    connection
        .prepare(
            "INSERT INTO products (sku, name, category, price_cents, stock, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, std::string_view("SKU-" + std::to_string(first_product + index)))
        .bind(2, std::string_view(name))
        .bind(3, pick(categories, random))
        .bind(4, static_cast<std::int64_t>(199 + random() % 50'000))
        .bind(5, static_cast<std::int64_t>(random() % 500))
        .bind(6, std::string_view(created))
        .bind(7, std::string_view(created))
        .run();
  });

  std::int64_t user_count = count_rows(connection, "SELECT COALESCE(MAX(id), 0) FROM users");
  std::int64_t product_count = count_rows(connection, "SELECT COALESCE(MAX(id), 0) FROM products");
  if (wanted.orders > 0 && (user_count == 0 || product_count == 0)) {
    throw std::invalid_argument("orders need at least one user and one product");
  }
  // Seeded orders are history: their items do not take stock from today's products.
  insert_batched(connection, wanted.orders, [&](std::int64_t) {
    std::int64_t user = 1 + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(user_count));
    std::string created = past_timestamp(random);
    int lines = 1 + static_cast<int>(random() % 4);
    std::int64_t first = 1 + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(product_count));
    std::int64_t order_id =
        connection
            .prepare(
                "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) VALUES (?, ?, 0, ?, ?) "
                "RETURNING id")
            .bind(1, user)
            .bind(2, random() % 10 == 0 ? "cancelled" : (random() % 10 == 0 ? "pending" : "confirmed"))
            .bind(3, std::string_view(created))
            .bind(4, std::string_view(created))
            .run_returning_id();
    for (int line = 0; line < lines; ++line) {
      std::int64_t product = 1 + (first - 1 + line) % product_count;  // distinct products within the order
      connection
          .prepare(
              "INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) "
              "SELECT ?, id, name, ?, price_cents FROM products WHERE id = ? ON CONFLICT DO NOTHING")
          .bind(1, order_id)
          .bind(2, static_cast<std::int64_t>(1 + random() % 3))
          .bind(3, product)
          .run();
    }
    connection
        .prepare(
            "UPDATE orders SET total_cents = (SELECT COALESCE(SUM(quantity * unit_price_cents), 0) "
            "FROM order_items WHERE order_id = ?) WHERE id = ?")
        .bind(1, order_id)
        .bind(2, order_id)
        .run();
  });
  return wanted;
}

}  // namespace tachyon::app::acme
