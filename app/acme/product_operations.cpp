#include "app/acme/product_operations.hpp"

#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/core/timestamp.hpp"

namespace tachyon::app::acme {

namespace {

using core::Failure;
using core::FailureKind;

[[noreturn]] void rethrow_as_failure(const db::DatabaseError& error) {
  if (error.error_class() == db::ErrorClass::unique_violation) {
    throw Failure(FailureKind::conflict, "a product with this sku already exists");
  }
  if (error.error_class() == db::ErrorClass::foreign_key_violation) {
    throw Failure(FailureKind::conflict, "the product is part of orders");
  }
  throw error;
}

}  // namespace

CreatedProduct create_product(db::Connection& writer, const NewProduct& product) {
  std::string now = core::rfc3339_now();
  CreatedProduct created;
  try {
    created.id = writer
                     .prepare(
                         "INSERT INTO products (sku, name, category, price_cents, stock, created_at, updated_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
                     .bind(1, std::string_view(product.sku))
                     .bind(2, std::string_view(product.name))
                     .bind(3, std::string_view(product.category))
                     .bind(4, product.price_cents)
                     .bind(5, product.stock)
                     .bind(6, std::string_view(now))
                     .bind(7, std::string_view(now))
                     .run_returning_id();
  } catch (const db::DatabaseError& error) {
    rethrow_as_failure(error);
  }
  render_by_id(writer, product_shape(), created.id, created.json);
  return created;
}

std::string update_product(db::Connection& writer, std::int64_t id, const ProductChanges& changes,
                           const http::WritePreconditions& preconditions) {
  return update_by_id(writer, {product_shape(), "product", id, preconditions},
                      {{"sku", changed(changes.sku)},
                       {"name", changed(changes.name)},
                       {"category", changed(changes.category)},
                       {"price_cents", changed(changes.price_cents)},
                       {"stock", changed(changes.stock)}},
                      rethrow_as_failure);
}

void delete_product(db::Connection& writer, std::int64_t id, const http::WritePreconditions& preconditions) {
  delete_by_id(writer, {product_shape(), "product", id, preconditions}, rethrow_as_failure);
}

}  // namespace tachyon::app::acme
