// The orders resource over HTTP: the request schemas, filters and handlers; order_operations.hpp does
// the work. Callers reach only the orders access_policy.hpp lets them (others are 404s), and place or
// cancel orders only for themselves unless they are admins (403).
#include <charconv>
#include <map>

#include "app/acme/export.hpp"
#include "app/acme/handler_support.hpp"
#include "app/acme/order_operations.hpp"
#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/json_body.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

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

asio::awaitable<void> create_order(http::Context& context, Services& services) {
  NewOrder order = http::read_json_body(context, new_order_schema());
  std::vector<std::int64_t> ordered_products;
  for (const auto& item : order.items) ordered_products.push_back(item.product_id);
  auto place = [caller = context.principal, order = std::move(order)](db::Connection& writer) {
    return place_order(writer, *caller, order);
  };
  // Their stock changed.
  CacheChanges changed = CacheChanges::of_products(std::move(ordered_products));
  PlacedOrder placed = co_await write_then_invalidate(context, services, std::move(place), std::move(changed));
  respond_created(context, "/v1/orders", placed.id, std::move(placed.json));
}

asio::awaitable<void> get_order(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto find = [&](db::Connection& reader) { return find_order(reader, *context.principal, id); };
  std::string body = co_await services.database.read(std::move(find), &context);
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> cancel(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto cancel_work = [caller = context.principal, id](db::Connection& writer) {
    return cancel_order(writer, *caller, id);
  };
  auto restocked = [](const CancelledOrder& result) { return CacheChanges::of_products(result.restocked_products); };
  CancelledOrder cancelled = co_await write_then_invalidate(context, services, std::move(cancel_work), restocked);
  respond_json(context, 200, std::move(cancelled.json));
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
    respond_export(context, services, *format, order_shape(), std::move(filters), std::move(list), order_items_json);
    return;
  }
  Page page = fetch_page(connection, order_shape(), filters, list, services.cursor_signer);
  const std::size_t items_field = order_shape().columns.size();
  std::map<std::int64_t, std::string> items;
  if (list.is_selected(items_field)) items = order_items_json(connection, page.ids);
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
