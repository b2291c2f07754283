#include "app/acme/order_operations.hpp"

#include <optional>
#include <set>

#include "app/acme/access_policy.hpp"
#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/core/timestamp.hpp"

namespace tachyon::app::acme {

namespace {

using core::Failure;
using core::FailureKind;

constexpr std::string_view items_sql_prefix =
    "SELECT order_id, product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id IN (";

// One order with its items; false when there is no such order.
bool render_order(db::Connection& connection, std::int64_t id, std::string& out) {
  std::string row;
  if (!render_by_id(connection, order_shape(), id, row)) return false;
  auto items = order_items_json(connection, {id});
  row.pop_back();  // reopen the object to append its items
  row += ",\"items\":";
  row += items.count(id) ? items[id] : "[]";
  row += "}";
  out = std::move(row);
  return true;
}

// The order's owner and the owner's department, for the access rules; nullopt when there is no order.
struct OrderOwner {
  std::int64_t user_id;
  std::string department;
};

std::optional<OrderOwner> order_owner(db::Connection& connection, std::int64_t id) {
  db::Statement owner = connection.prepare(
      "SELECT orders.user_id, users.department FROM orders JOIN users ON users.id = orders.user_id "
      "WHERE orders.id = ?");
  owner.bind(1, id);
  if (!owner.step()) return std::nullopt;
  return OrderOwner{owner.integer(0), std::string(owner.text(1))};
}

// not_found when the order is out of the viewer's sight.
OrderOwner require_visible_order(const Viewer& viewer, db::Connection& connection, std::int64_t id) {
  std::optional<OrderOwner> owner = order_owner(connection, id);
  if (!owner || !may_see_user(viewer, owner->user_id, owner->department)) throw_not_found("order", id);
  return *owner;
}

void require_distinct_products(const NewOrder& order) {
  std::set<std::int64_t> seen;
  std::vector<json::FieldError> duplicates;
  for (std::size_t index = 0; index < order.items.size(); ++index) {
    if (!seen.insert(order.items[index].product_id).second) {
      duplicates.push_back({"items[" + std::to_string(index) + "].product_id", "appears twice in this order"});
    }
  }
  if (!duplicates.empty()) {
    throw Failure(FailureKind::invalid, "the request body failed validation", std::move(duplicates));
  }
}

struct StockedProduct {
  std::string name;
  std::int64_t price_cents = 0;
  std::int64_t stock = 0;
};

// The ordered products as they are now; invalid naming every unknown user or product.
std::vector<StockedProduct> ordered_products(db::Connection& connection, const NewOrder& order) {
  std::vector<json::FieldError> errors;
  db::Statement user = connection.prepare("SELECT 1 FROM users WHERE id = ?");
  user.bind(1, order.user_id);
  if (!user.step()) errors.push_back({"user_id", "no user with this id"});
  std::vector<StockedProduct> products;
  for (std::size_t index = 0; index < order.items.size(); ++index) {
    db::Statement product = connection.prepare("SELECT name, price_cents, stock FROM products WHERE id = ?");
    product.bind(1, order.items[index].product_id);
    if (!product.step()) {
      errors.push_back({"items[" + std::to_string(index) + "].product_id", "no product with this id"});
      products.push_back({});
      continue;
    }
    products.push_back({std::string(product.text(0)), product.integer(1), product.integer(2)});
  }
  if (!errors.empty()) throw Failure(FailureKind::invalid, "the order refers to unknown records", std::move(errors));
  return products;
}

}  // namespace

std::map<std::int64_t, std::string> order_items_json(db::Connection& connection,
                                                     const std::vector<std::int64_t>& order_ids) {
  std::map<std::int64_t, std::string> items;
  if (order_ids.empty()) return items;
  std::string sql(items_sql_prefix);
  for (std::size_t index = 0; index < order_ids.size(); ++index) sql += index == 0 ? "?" : ", ?";
  sql += ") ORDER BY order_id, product_id";
  db::Statement statement = connection.prepare(sql);
  for (std::size_t index = 0; index < order_ids.size(); ++index) {
    statement.bind(static_cast<int>(index + 1), order_ids[index]);
  }
  while (statement.step()) {
    std::string& array = items[statement.integer(0)];
    array += array.empty() ? "[" : ",";
    json::JsonWriter writer(array);
    writer.begin_object();
    writer.field("product_id", statement.integer(1));
    writer.field("name", statement.text(2));
    writer.field("quantity", statement.integer(3));
    writer.field("unit_price_cents", statement.integer(4));
    writer.end_object();
  }
  for (auto& [id, array] : items) array += "]";
  return items;
}

PlacedOrder place_order(db::Connection& writer, const auth::Principal& caller, const NewOrder& order) {
  return writer.transaction([&] {
    Viewer viewer = viewer_of(caller, writer);
    if (!may_act_for_user(viewer, order.user_id)) {
      throw Failure(FailureKind::forbidden,
                    "you may place orders only for yourself (user_id " + std::to_string(viewer.user_id) + ")");
    }
    require_distinct_products(order);
    std::vector<StockedProduct> products = ordered_products(writer, order);
    std::int64_t total = 0;
    for (std::size_t index = 0; index < order.items.size(); ++index) {
      const OrderLine& line = order.items[index];
      if (products[index].stock < line.quantity) {
        throw Failure(FailureKind::conflict, "not enough stock for product " + std::to_string(line.product_id) + ": " +
                                                 std::to_string(products[index].stock) + " left, " +
                                                 std::to_string(line.quantity) + " ordered");
      }
      total += products[index].price_cents * line.quantity;
    }
    std::string now = core::rfc3339_now();
    for (const OrderLine& line : order.items) {
      // Guarded: a concurrent order that took the stock first makes this change no row.
      writer.prepare("UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?")
          .bind(1, line.quantity)
          .bind(2, std::string_view(now))
          .bind(3, line.product_id)
          .bind(4, line.quantity)
          .run();
      if (writer.changes() != 1) {
        throw Failure(FailureKind::conflict, "not enough stock for product " + std::to_string(line.product_id));
      }
    }
    PlacedOrder placed;
    placed.id = writer
                    .prepare(
                        "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) "
                        "VALUES (?, 'confirmed', ?, ?, ?) RETURNING id")
                    .bind(1, order.user_id)
                    .bind(2, total)
                    .bind(3, std::string_view(now))
                    .bind(4, std::string_view(now))
                    .run_returning_id();
    for (std::size_t index = 0; index < order.items.size(); ++index) {
      writer
          .prepare(
              "INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) "
              "VALUES (?, ?, ?, ?, ?)")
          .bind(1, placed.id)
          .bind(2, order.items[index].product_id)
          .bind(3, std::string_view(products[index].name))
          .bind(4, order.items[index].quantity)
          .bind(5, products[index].price_cents)
          .run();
    }
    render_order(writer, placed.id, placed.json);
    return placed;
  });
}

CancelledOrder cancel_order(db::Connection& writer, const auth::Principal& caller, std::int64_t id) {
  return writer.transaction([&] {
    Viewer viewer = viewer_of(caller, writer);
    OrderOwner owner = require_visible_order(viewer, writer, id);
    if (!may_act_for_user(viewer, owner.user_id)) {
      throw Failure(FailureKind::forbidden, "you may cancel only your own orders");
    }
    std::string now = core::rfc3339_now();
    // Guarded: of two concurrent cancels only one changes the row, and only it gives the stock back.
    writer.prepare("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ? AND status <> 'cancelled'")
        .bind(1, std::string_view(now))
        .bind(2, id)
        .run();
    if (writer.changes() != 1) throw Failure(FailureKind::conflict, "the order is already cancelled");
    writer
        .prepare(
            "UPDATE products SET stock = stock + (SELECT quantity FROM order_items "
            "WHERE order_id = ? AND product_id = products.id), updated_at = ? "
            "WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?)")
        .bind(1, id)
        .bind(2, std::string_view(now))
        .bind(3, id)
        .run();
    CancelledOrder cancelled;
    db::Statement items = writer.prepare("SELECT product_id FROM order_items WHERE order_id = ?");
    items.bind(1, id);
    while (items.step()) cancelled.restocked_products.push_back(items.integer(0));
    render_order(writer, id, cancelled.json);
    return cancelled;
  });
}

std::string find_order(db::Connection& reader, const auth::Principal& caller, std::int64_t id) {
  require_visible_order(viewer_of(caller, reader), reader, id);
  std::string json;
  if (!render_order(reader, id, json)) throw_not_found("order", id);
  return json;
}

}  // namespace tachyon::app::acme
