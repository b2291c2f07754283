// The products resource over HTTP: the request schemas, filters and handlers; product_operations.hpp
// does the writes.
#include <charconv>

#include "app/acme/export.hpp"
#include "app/acme/handler_support.hpp"
#include "app/acme/product_operations.hpp"
#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/cache/http_cache.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/json_body.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

const json::StringRules sku_rules{.min_length = 1, .max_length = 64};
const json::StringRules name_rules{.min_length = 1, .max_length = 200};
const json::StringRules category_rules{.min_length = 1, .max_length = 100};
const json::IntegerRules price_rules{.minimum = 0, .maximum = 1'000'000'000'000};
const json::IntegerRules stock_rules{.minimum = 0, .maximum = 1'000'000'000};

const json::ObjectSchema<NewProduct>& new_product_schema() {
  static const auto schema = json::ObjectSchema<NewProduct>("NewProduct")
                                 .string("sku", &NewProduct::sku, sku_rules)
                                 .string("name", &NewProduct::name, name_rules)
                                 .string("category", &NewProduct::category, category_rules)
                                 .integer("price_cents", &NewProduct::price_cents, price_rules)
                                 .integer("stock", &NewProduct::stock, stock_rules);
  return schema;
}

const json::ObjectSchema<ProductChanges>& product_changes_schema() {
  static const auto schema = json::ObjectSchema<ProductChanges>("ProductChanges")
                                 .optional_string("sku", &ProductChanges::sku, sku_rules)
                                 .optional_string("name", &ProductChanges::name, name_rules)
                                 .optional_string("category", &ProductChanges::category, category_rules)
                                 .optional_integer("price_cents", &ProductChanges::price_cents, price_rules)
                                 .optional_integer("stock", &ProductChanges::stock, stock_rules);
  return schema;
}

std::optional<std::int64_t> price_parameter(const http::Request& request, std::string_view name,
                                            std::vector<json::FieldError>& errors) {
  auto text = request.query_param(name);
  if (!text) return std::nullopt;
  std::int64_t value = -1;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0) {
    errors.push_back({std::string(name), "must be a whole number of cents >= 0"});
    return std::nullopt;
  }
  return value;
}

// FTS5 phrase syntax: the text in double quotes, inner quotes doubled, so `q` is matched literally.
std::string as_fts_phrase(std::string_view text) {
  std::string phrase = "\"";
  for (char c : text) {
    if (c == '"') phrase += '"';
    phrase += c;
  }
  return phrase + "\"";
}

// LIKE's wildcards and its escape character taken literally (PostgreSQL's default escape is \).
std::string as_like_substring(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// The dialects differ here: SQLite takes a planner hint and searches names in an FTS5 trigram table;
// PostgreSQL plans price ranges from its statistics and searches with ILIKE through a pg_trgm index.
std::vector<Filter> product_filters(const http::Request& request, db::Dialect dialect) {
  const bool sqlite = dialect == db::Dialect::sqlite;
  std::vector<Filter> filters;
  std::vector<json::FieldError> errors;
  if (auto category = request.query_param("category")) {
    filters.push_back({"category = ?", {*category}, "category=" + *category});
  }
  auto min_price = price_parameter(request, "min_price", errors);
  auto max_price = price_parameter(request, "max_price", errors);
  // likelihood(): tells SQLite a price range is selective, so it searches products_by_price instead of
  // walking the table in id order until LIMIT rows match (a full scan when few do).
  if (min_price) {
    filters.push_back({sqlite ? "likelihood(price_cents >= ?, 0.05)" : "price_cents >= ?",
                       {*min_price},
                       "min_price=" + std::to_string(*min_price)});
  }
  if (max_price) {
    filters.push_back({sqlite ? "likelihood(price_cents <= ?, 0.05)" : "price_cents <= ?",
                       {*max_price},
                       "max_price=" + std::to_string(*max_price)});
  }
  if (min_price && max_price && *min_price > *max_price) {
    errors.push_back({"min_price", "must not exceed max_price"});
  }
  if (auto query = request.query_param("q")) {
    // The trigram index matches substrings of three characters or more; shorter ones would scan.
    if (query->size() < 3 || query->size() > 100) {
      errors.push_back({"q", "must be 3 to 100 characters"});
    } else if (sqlite) {
      filters.push_back({"id IN (SELECT rowid FROM products_name_search WHERE products_name_search MATCH ?)",
                         {as_fts_phrase(*query)},
                         "q=" + *query});
    } else {
      filters.push_back({"name ILIKE ?", {as_like_substring(*query)}, "q=" + *query});
    }
  }
  if (!errors.empty()) throw http::HttpError(422, "invalid filter", std::move(errors));
  return filters;
}

asio::awaitable<void> serve_create_product(http::Context& context, Services& services) {
  NewProduct product = http::read_json_body(context, new_product_schema());
  auto insert = [product = std::move(product)](db::Connection& writer) { return create_product(writer, product); };
  // A new product appears in lists; no single entry held it.
  CacheChanges changed = CacheChanges::of_products({});
  CreatedProduct created = co_await write_then_invalidate(context, services, std::move(insert), std::move(changed));
  respond_created(context, "/v1/products", created.id, std::move(created.json));
}

asio::awaitable<void> get_product(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  // Owns what it uses: it may run again later as a background refresh.
  cache::Loader load = [&database = services.database, id]() -> asio::awaitable<cache::Loaded> {
    auto render = [id](db::Connection& reader) {
      cache::Loaded loaded;
      if (!render_by_id(reader, product_shape(), id, loaded.body)) throw_not_found("product", id);
      return loaded;
    };
    co_return co_await database.read(std::move(render));
  };
  std::string key = product_key(id);
  std::vector<std::string> no_tags;
  co_await cache::serve_cached(context, services.caches.cache, services.caches.products, std::move(key),
                               std::move(no_tags), std::move(load));
}

asio::awaitable<void> serve_update_product(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  ProductChanges changes = http::read_json_body(context, product_changes_schema());
  if (changes.empty()) throw http::HttpError(422, "nothing to change", {{"", "must contain at least one field"}});
  auto update = [id, changes = std::move(changes), preconditions = http::WritePreconditions::of(context.request)](
                    db::Connection& writer) { return update_product(writer, id, changes, preconditions); };
  CacheChanges changed = CacheChanges::of_products({id});
  std::string body = co_await write_then_invalidate(context, services, std::move(update), std::move(changed));
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> serve_delete_product(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto remove = [id, preconditions = http::WritePreconditions::of(context.request)](db::Connection& writer) {
    delete_product(writer, id, preconditions);
  };
  CacheChanges changed = CacheChanges::of_products({id});
  co_await write_then_invalidate(context, services, std::move(remove), std::move(changed));
  context.response.status = 204;
}

asio::awaitable<void> list_products(http::Context& context, Services& services) {
  std::vector<Filter> filters = product_filters(context.request, services.database.dialect());
  ListRequest list = parse_list_request(context.request, product_shape(), filters, services.cursor_signer);
  context.response.add_header("Vary", "Accept");  // JSON pages or a streamed export
  if (std::optional<ExportFormat> format = requested_export(context.request)) {
    respond_export(context, services, *format, product_shape(), std::move(filters), std::move(list));
    co_return;
  }
  std::string key = product_list_key(filters, list);
  cache::Loader load = [&services, filters = std::move(filters), list]() -> asio::awaitable<cache::Loaded> {
    auto fetch = [&](db::Connection& reader) {
      return fetch_page(reader, product_shape(), filters, list, services.cursor_signer);
    };
    Page page = co_await services.database.read(std::move(fetch));
    cache::Loaded loaded;
    write_page(loaded.body, page, list);
    co_return loaded;
  };
  std::vector<std::string> tags{std::string(product_lists_tag)};
  co_await cache::serve_cached(context, services.caches.cache, services.caches.product_lists, std::move(key),
                               std::move(tags), std::move(load));
}

}  // namespace

const ResourceShape& product_shape() {
  static const ResourceShape shape{"products",
                                   {{"id", ColumnType::integer, true},
                                    {"sku", ColumnType::text, true},
                                    {"name", ColumnType::text, true},
                                    {"category", ColumnType::text, true},
                                    {"price_cents", ColumnType::integer, true},
                                    {"stock", ColumnType::integer, true},
                                    {"created_at", ColumnType::text, true},
                                    {"updated_at", ColumnType::text, false}},
                                   {}};
  return shape;
}

void add_product_routes(http::Router& router, Services& services) {
  router.post("/v1/products", with_services(services, serve_create_product))
      .name("create_product")
      .tags({"products"})
      .requires_scopes({"products:write"})
      .summary("Create a product (409 when the sku is taken)")
      .request_schema([](json::JsonWriter& writer) { new_product_schema().write_json_schema(writer); });
  auto list = router.get("/v1/products", with_services(services, list_products));
  list.name("list_products")
      .public_access()
      .cache_control(cache::shared_cache_control(services.caches.product_lists))
      .tags({"products"})
      .summary(
          "List products: category, min_price, max_price, q (name contains, case-insensitive); the whole "
          "filtered collection streamed with Accept: application/x-ndjson or text/csv")
      .query_parameter("category", "string", "Exact category")
      .query_parameter("min_price", "integer", "Lowest price_cents, inclusive")
      .query_parameter("max_price", "integer", "Highest price_cents, inclusive")
      .query_parameter("q", "string", "Case-insensitive substring of the name, at least 3 characters");
  document_list_parameters(list);
  router.get("/v1/products/{id:int}", with_services(services, get_product))
      .name("get_product")
      .tags({"products"})
      .public_access()
      .cache_control(cache::shared_cache_control(services.caches.products))
      .summary("One product, with a strong ETag");
  router.patch("/v1/products/{id:int}", with_services(services, serve_update_product))
      .name("update_product")
      .requires_precondition(services.require_preconditions)
      .tags({"products"})
      .requires_scopes({"products:write"})
      .summary("Change some fields of a product")
      .request_schema([](json::JsonWriter& writer) { product_changes_schema().write_json_schema(writer); });
  router.del("/v1/products/{id:int}", with_services(services, serve_delete_product))
      .name("delete_product")
      .requires_precondition(services.require_preconditions)
      .tags({"products"})
      .requires_scopes({"products:write"})
      .summary("Delete a product that no order contains");
}

}  // namespace tachyon::app::acme
