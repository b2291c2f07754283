// Acme's product operations, apart from HTTP: creating, changing and deleting products. Who may is the
// route's scope (`products:write`); products have no per-record access rules. Handlers call these, and
// so will jobs and the CLI. They return results or throw core::Failure: not_found, conflict (a taken
// sku, a product that is part of orders), precondition_failed from If-Match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tachyon/db/sqlite_connection.hpp"
#include "tachyon/http/conditional.hpp"

namespace tachyon::app::acme {

struct NewProduct {
  std::string sku;
  std::string name;
  std::string category;
  std::int64_t price_cents = 0;
  std::int64_t stock = 0;
};

struct ProductChanges {
  std::optional<std::string> sku;
  std::optional<std::string> name;
  std::optional<std::string> category;
  std::optional<std::int64_t> price_cents;
  std::optional<std::int64_t> stock;

  bool empty() const { return !sku && !name && !category && !price_cents && !stock; }
};

struct CreatedProduct {
  std::int64_t id = 0;
  std::string json;
};

// On `writer`.
CreatedProduct create_product(db::Connection& writer, const NewProduct& product);
// On `writer`: `preconditions` against the row as it is now, then the change; the product as JSON.
std::string update_product(db::Connection& writer, std::int64_t id, const ProductChanges& changes,
                           const http::WritePreconditions& preconditions);
// On `writer`: `preconditions`, then the delete; conflict while the product is part of orders.
void delete_product(db::Connection& writer, std::int64_t id, const http::WritePreconditions& preconditions);

}  // namespace tachyon::app::acme
