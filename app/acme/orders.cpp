// The orders resource: schema, SQL and handlers. Creating an order checks and takes stock in one
// transaction on the single writer, so concurrent orders can never oversell; cancelling gives it back.
// Callers reach only the orders access_policy.hpp lets them (others are 404s), and place or cancel
// orders only for themselves unless they are admins (403).
#include <charconv>
#include <map>
#include <set>

#include "app/acme/export.hpp"
#include "app/acme/handler_support.hpp"
#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/json_body.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

struct OrderLine {
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
};

struct NewOrder {
  std::int64_t user_id = 0;
  std::vector<OrderLine> items;
};

const json::ObjectSchema<OrderLine>& order_line_schema() {
  static const auto schema = json::ObjectSchema<OrderLine>("OrderLine")
                                 .integer("product_id", &OrderLine::product_id, {.minimum = 1})
                                 .integer("quantity", &OrderLine::quantity, {.minimum = 1, .maximum = 1000});
  return schema;
}

const json::ObjectSchema<NewOrder>& new_order_schema() {
  static const auto schema =
      json::ObjectSchema<NewOrder>("NewOrder")
          .integer("user_id", &NewOrder::user_id, {.minimum = 1})
          .array("items", &NewOrder::items, order_line_schema(), {.min_items = 1, .max_items = 100});
  return schema;
}

constexpr std::string_view items_sql_prefix =
    "SELECT order_id, product_id, name, quantity, unit_price_cents FROM order_items WHERE order_id IN (";

// The items of every order in `order_ids`, each as a rendered JSON array, in one query.
std::map<std::int64_t, std::string> load_items(db::Connection& connection, const std::vector<std::int64_t>& order_ids) {
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

// One order with its items; false when there is no such order.
bool render_order(db::Connection& connection, std::int64_t id, std::string& out) {
  std::string row;
  if (!render_by_id(connection, order_shape(), id, row)) return false;
  auto items = load_items(connection, {id});
  row.pop_back();  // reopen the object to append its items
  row += ",\"items\":";
  row += items.count(id) ? items[id] : "[]";
  row += "}";
  out = std::move(row);
  return true;
}

struct StockedProduct {
  std::string name;
  std::int64_t price_cents;
  std::int64_t stock;
};

std::pair<std::int64_t, std::string> place_order(db::Connection& connection, const NewOrder& order) {
  return connection.transaction([&] {
    std::vector<json::FieldError> errors;
    db::Statement user = connection.prepare("SELECT 1 FROM users WHERE id = ?");
    user.bind(1, order.user_id);
    if (!user.step()) errors.push_back({"user_id", "no user with this id"});
    std::vector<StockedProduct> products;
    for (std::size_t index = 0; index < order.items.size(); ++index) {
      db::Statement product = connection.prepare("SELECT name, price_cents, stock FROM products WHERE id = ?");
      product.bind(1, order.items[index].product_id);
      std::string field = "items[" + std::to_string(index) + "].product_id";
      if (!product.step()) {
        errors.push_back({field, "no product with this id"});
        products.push_back({});
        continue;
      }
      products.push_back({std::string(product.text(0)), product.integer(1), product.integer(2)});
    }
    if (!errors.empty()) throw http::HttpError(422, "the order refers to unknown records", std::move(errors));
    std::int64_t total = 0;
    for (std::size_t index = 0; index < order.items.size(); ++index) {
      const OrderLine& line = order.items[index];
      if (products[index].stock < line.quantity) {
        throw http::HttpError(409, "not enough stock for product " + std::to_string(line.product_id) + ": " +
                                       std::to_string(products[index].stock) + " left, " +
                                       std::to_string(line.quantity) + " ordered");
      }
      total += products[index].price_cents * line.quantity;
    }
    std::string now = core::rfc3339_now();
    for (const OrderLine& line : order.items) {
      connection.prepare("UPDATE products SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?")
          .bind(1, line.quantity)
          .bind(2, std::string_view(now))
          .bind(3, line.product_id)
          .bind(4, line.quantity)
          .run();
      if (connection.changes() != 1) throw http::HttpError(409, "not enough stock");
    }
    connection
        .prepare(
            "INSERT INTO orders (user_id, status, total_cents, created_at, updated_at) "
            "VALUES (?, 'confirmed', ?, ?, ?)")
        .bind(1, order.user_id)
        .bind(2, total)
        .bind(3, std::string_view(now))
        .bind(4, std::string_view(now))
        .run();
    std::int64_t order_id = connection.last_insert_id();
    for (std::size_t index = 0; index < order.items.size(); ++index) {
      connection
          .prepare(
              "INSERT INTO order_items (order_id, product_id, name, quantity, unit_price_cents) "
              "VALUES (?, ?, ?, ?, ?)")
          .bind(1, order_id)
          .bind(2, order.items[index].product_id)
          .bind(3, std::string_view(products[index].name))
          .bind(4, order.items[index].quantity)
          .bind(5, products[index].price_cents)
          .run();
    }
    std::string body;
    render_order(connection, order_id, body);
    return std::pair{order_id, body};
  });
}

// The cancelled order's body and the products whose stock came back.
std::pair<std::string, std::vector<std::int64_t>> cancel_order(db::Connection& connection, std::int64_t id) {
  return connection.transaction([&] {
    db::Statement order = connection.prepare("SELECT status FROM orders WHERE id = ?");
    order.bind(1, id);
    if (!order.step()) throw_not_found("order", id);
    if (order.text(0) == "cancelled") throw http::HttpError(409, "the order is already cancelled");
    std::string now = core::rfc3339_now();
    connection
        .prepare(
            "UPDATE products SET stock = stock + (SELECT quantity FROM order_items "
            "WHERE order_id = ? AND product_id = products.id), updated_at = ? "
            "WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ?)")
        .bind(1, id)
        .bind(2, std::string_view(now))
        .bind(3, id)
        .run();
    connection.prepare("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?")
        .bind(1, std::string_view(now))
        .bind(2, id)
        .run();
    std::vector<std::int64_t> restocked;
    db::Statement items = connection.prepare("SELECT product_id FROM order_items WHERE order_id = ?");
    items.bind(1, id);
    while (items.step()) restocked.push_back(items.integer(0));
    std::string body;
    render_order(connection, id, body);
    return std::pair{body, restocked};
  });
}

std::vector<Filter> order_filters(const http::Request& request, std::optional<std::int64_t> user_id) {
  std::vector<Filter> filters;
  std::vector<json::FieldError> errors;
  if (!user_id) {
    if (auto text = request.query_param("user_id")) {
      std::int64_t value = 0;
      auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (error != std::errc() || end != text->data() + text->size() || value < 1) {
        errors.push_back({"user_id", "must be a positive integer"});
      } else {
        user_id = value;
      }
    }
  }
  if (user_id) filters.push_back({"user_id = ?", {*user_id}, "user_id=" + std::to_string(*user_id)});
  if (auto status = request.query_param("status")) {
    if (*status != "pending" && *status != "confirmed" && *status != "cancelled") {
      errors.push_back({"status", "must be one of: pending, confirmed, cancelled"});
    } else {
      filters.push_back({"status = ?", {*status}, "status=" + *status});
    }
  }
  if (!errors.empty()) throw http::HttpError(422, "invalid filter", std::move(errors));
  return filters;
}

// The order's owner and the owner's department, for the access rules; nullopt when there is no order.
struct OrderOwner {
  std::int64_t user_id;
  std::string department;
};
std::optional<OrderOwner> order_owner(db::Connection& reader, std::int64_t id) {
  db::Statement owner = reader.prepare(
      "SELECT orders.user_id, users.department FROM orders JOIN users ON users.id = orders.user_id WHERE orders.id = "
      "?");
  owner.bind(1, id);
  if (!owner.step()) return std::nullopt;
  return OrderOwner{owner.integer(0), std::string(owner.text(1))};
}

// 404 when the order is out of the viewer's sight.
OrderOwner require_visible_order(const Viewer& viewer, db::Connection& reader, std::int64_t id) {
  std::optional<OrderOwner> owner = order_owner(reader, id);
  if (!owner || !may_see_user(viewer, owner->user_id, owner->department)) throw_not_found("order", id);
  return *owner;
}

asio::awaitable<void> create_order(http::Context& context, Services& services) {
  NewOrder order = http::read_json_body(context, new_order_schema());
  auto read_viewer = [&](db::Connection& reader) { return viewer_of(*context.principal, reader); };
  Viewer viewer = co_await services.database.read(std::move(read_viewer), &context);
  if (!may_act_for_user(viewer, order.user_id)) {
    throw http::HttpError(403,
                          "you may place orders only for yourself (user_id " + std::to_string(viewer.user_id) + ")");
  }
  std::set<std::int64_t> seen;
  std::vector<json::FieldError> duplicates;
  for (std::size_t index = 0; index < order.items.size(); ++index) {
    if (!seen.insert(order.items[index].product_id).second) {
      duplicates.push_back({"items[" + std::to_string(index) + "].product_id", "appears twice in this order"});
    }
  }
  if (!duplicates.empty()) throw http::HttpError(422, "the request body failed validation", std::move(duplicates));
  std::vector<std::int64_t> ordered_products;
  for (const auto& item : order.items) ordered_products.push_back(item.product_id);
  auto place = [order = std::move(order)](db::Connection& connection) { return place_order(connection, order); };
  // Their stock changed.
  CacheChanges changed = CacheChanges::of_products(std::move(ordered_products));
  std::pair<std::int64_t, std::string> created =
      co_await write_then_invalidate(context, services, std::move(place), std::move(changed));
  respond_created(context, "/v1/orders", created.first, std::move(created.second));
}

asio::awaitable<void> get_order(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto load = [&](db::Connection& connection) {
    require_visible_order(viewer_of(*context.principal, connection), connection, id);
    std::string body;
    if (!render_order(connection, id, body)) throw_not_found("order", id);
    return body;
  };
  std::string body = co_await services.database.read(std::move(load), &context);
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> cancel(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto check = [&](db::Connection& connection) {
    Viewer viewer = viewer_of(*context.principal, connection);
    OrderOwner owner = require_visible_order(viewer, connection, id);
    if (!may_act_for_user(viewer, owner.user_id)) throw http::HttpError(403, "you may cancel only your own orders");
  };
  co_await services.database.read(std::move(check), &context);
  auto cancel_work = [id](db::Connection& connection) { return cancel_order(connection, id); };
  auto restocked = [](const std::pair<std::string, std::vector<std::int64_t>>& result) {
    return CacheChanges::of_products(result.second);  // their stock came back
  };
  std::pair<std::string, std::vector<std::int64_t>> cancelled =
      co_await write_then_invalidate(context, services, std::move(cancel_work), restocked);
  respond_json(context, 200, std::move(cancelled.first));
}

asio::awaitable<void> list_all_orders(http::Context& context, Services& services) {
  auto list = [&](db::Connection& connection) {
    list_orders(context, connection, services, viewer_of(*context.principal, connection), std::nullopt);
  };
  co_await services.database.read(std::move(list), &context);
}

}  // namespace

const ResourceShape& order_shape() {
  static const ResourceShape shape{"orders",
                                   {{"id", ColumnType::integer, true},
                                    {"user_id", ColumnType::integer, true},
                                    {"status", ColumnType::text, true},
                                    {"total_cents", ColumnType::integer, true},
                                    {"created_at", ColumnType::text, true}},
                                   {"items"}};
  return shape;
}

void list_orders(http::Context& context, db::Connection& connection, Services& services, const Viewer& viewer,
                 std::optional<std::int64_t> user_id) {
  std::vector<Filter> filters = order_filters(context.request, user_id);
  if (std::optional<Filter> reach = order_visibility(viewer)) filters.insert(filters.begin(), std::move(*reach));
  ListRequest list = parse_list_request(context.request, order_shape(), filters, services.cursor_signer);
  context.response.add_header("Vary", "Accept");  // JSON pages or a streamed export
  if (std::optional<ExportFormat> format = requested_export(context.request)) {
    respond_export(context, services, *format, order_shape(), std::move(filters), std::move(list), load_items);
    return;
  }
  Page page = fetch_page(connection, order_shape(), filters, list, services.cursor_signer);
  const std::size_t items_field = order_shape().columns.size();
  std::map<std::int64_t, std::string> items;
  if (list.is_selected(items_field)) items = load_items(connection, page.ids);
  std::string body;
  write_page(body, page, list, [&](json::JsonWriter& writer, std::size_t row) {
    if (!list.is_selected(items_field)) return;
    writer.key("items");
    auto found = items.find(page.ids[row]);
    writer.raw(found == items.end() ? std::string_view("[]") : std::string_view(found->second));
  });
  respond_json(context, 200, std::move(body));
}

void add_order_routes(http::Router& router, Services& services) {
  router.post("/v1/orders", with_services(services, create_order))
      .name("create_order")
      .tags({"orders"})
      .requires_scopes({"orders:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Place an order: stock is taken in the same transaction (409 when short)")
      .request_schema([](json::JsonWriter& writer) { new_order_schema().write_json_schema(writer); });
  auto list = router.get("/v1/orders", with_services(services, list_all_orders));
  list.name("list_orders")
      .tags({"orders"})
      .requires_scopes({"orders:read"})
      .cache_control(std::string(private_cache_control))
      .summary(
          "List orders with their items: user_id, status filters; every visible order streamed with "
          "Accept: application/x-ndjson or text/csv")
      .query_parameter("user_id", "integer", "Only this user's orders")
      .query_parameter("status", "string", "pending, confirmed or cancelled");
  document_list_parameters(list);
  router.get("/v1/orders/{id:int}", with_services(services, get_order))
      .name("get_order")
      .tags({"orders"})
      .requires_scopes({"orders:read"})
      .cache_control(std::string(private_cache_control))
      .summary("One order with its items");
  router.post("/v1/orders/{id:int}/cancel", with_services(services, cancel))
      .name("cancel_order")
      .tags({"orders"})
      .requires_scopes({"orders:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Cancel an order and restore its stock (409 when already cancelled)");
}

}  // namespace tachyon::app::acme
