// The users resource: schema, SQL and handlers.
#include <algorithm>
#include <cctype>

#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/cache/http_cache.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/json_body.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

struct NewUser {
  std::string email;
  std::string name;
  std::string role;
  std::string department;
  std::int64_t salary_cents = 0;
  std::optional<std::string> status;
};

struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<std::string> role;
  std::optional<std::string> department;
  std::optional<std::int64_t> salary_cents;
  std::optional<std::string> status;
};

const json::StringRules email_rules{.max_length = 254, .format = "email"};
const json::StringRules name_rules{.min_length = 1, .max_length = 200};
const json::StringRules role_rules{.one_of = {"admin", "manager", "user"}};
const json::StringRules department_rules{.min_length = 1, .max_length = 100};
const json::IntegerRules salary_rules{.minimum = 0, .maximum = 1'000'000'000'000};
const json::StringRules status_rules{.one_of = {"active", "disabled"}};

const json::ObjectSchema<NewUser>& new_user_schema() {
  static const auto schema = json::ObjectSchema<NewUser>("NewUser")
                                 .string("email", &NewUser::email, email_rules)
                                 .string("name", &NewUser::name, name_rules)
                                 .string("role", &NewUser::role, role_rules)
                                 .string("department", &NewUser::department, department_rules)
                                 .integer("salary_cents", &NewUser::salary_cents, salary_rules)
                                 .optional_string("status", &NewUser::status, status_rules);
  return schema;
}

const json::ObjectSchema<UserChanges>& user_changes_schema() {
  static const auto schema = json::ObjectSchema<UserChanges>("UserChanges")
                                 .optional_string("email", &UserChanges::email, email_rules)
                                 .optional_string("name", &UserChanges::name, name_rules)
                                 .optional_string("role", &UserChanges::role, role_rules)
                                 .optional_string("department", &UserChanges::department, department_rules)
                                 .optional_integer("salary_cents", &UserChanges::salary_cents, salary_rules)
                                 .optional_string("status", &UserChanges::status, status_rules);
  return schema;
}

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

[[noreturn]] void rethrow_as_http(const db::DatabaseError& error) {
  if (error.is_unique_violation()) throw http::HttpError(409, "a user with this email already exists");
  if (error.is_foreign_key_violation()) throw http::HttpError(409, "the user has orders; disable the user instead");
  throw error;
}

std::vector<Filter> user_filters(const http::Request& request) {
  std::vector<Filter> filters;
  std::vector<json::FieldError> errors;
  auto add_choice = [&](std::string_view name, std::initializer_list<std::string_view> allowed) {
    auto value = request.query_param(name);
    if (!value) return;
    if (allowed.size() > 0 && std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
      std::string list;
      for (std::string_view option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
      errors.push_back({std::string(name), "must be one of: " + list});
      return;
    }
    filters.push_back({std::string(name) + " = ?", {*value}, std::string(name) + "=" + *value});
  };
  add_choice("role", {"admin", "manager", "user"});
  add_choice("department", {});
  add_choice("status", {"active", "disabled"});
  if (!errors.empty()) throw http::HttpError(422, "invalid filter", std::move(errors));
  return filters;
}

asio::awaitable<void> create_user(http::Context& context, Services& services) {
  NewUser user = http::read_json_body(context, new_user_schema());
  user.email = lower_case(user.email);
  auto insert = [user = std::move(user)](db::Connection& connection) {
    try {
      std::string now = core::rfc3339_now();
      connection
          .prepare("INSERT INTO users (email, name, role, department, salary_cents, status, created_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, std::string_view(user.email))
          .bind(2, std::string_view(user.name))
          .bind(3, std::string_view(user.role))
          .bind(4, std::string_view(user.department))
          .bind(5, user.salary_cents)
          .bind(6, std::string_view(user.status.value_or("active")))
          .bind(7, std::string_view(now))
          .bind(8, std::string_view(now))
          .run();
    } catch (const db::DatabaseError& error) {
      rethrow_as_http(error);
    }
    std::int64_t new_id = connection.last_insert_id();
    std::string rendered;
    render_by_id(connection, user_shape(), new_id, rendered);
    return std::pair{new_id, rendered};
  };
  observe::Span span(context, "db");
  std::pair<std::int64_t, std::string> created = co_await services.database.write(std::move(insert));
  respond_created(context, "/v1/users", created.first, std::move(created.second));
}

asio::awaitable<void> get_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  // Owns what it uses: it may run again later as a background refresh.
  cache::Loader load = [&database = services.database, id]() -> asio::awaitable<cache::Loaded> {
    cache::Loaded loaded;
    if (!render_by_id(database.reader(), user_shape(), id, loaded.body)) throw_not_found("user", id);
    co_return loaded;
  };
  std::string key = user_key(id);
  std::vector<std::string> no_tags;
  co_await cache::serve_cached(context, services.caches.cache, services.caches.users, std::move(key),
                               std::move(no_tags), std::move(load));
}

asio::awaitable<void> update_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  UserChanges changes = http::read_json_body(context, user_changes_schema());
  if (!changes.email && !changes.name && !changes.role && !changes.department && !changes.salary_cents &&
      !changes.status) {
    throw http::HttpError(422, "nothing to change", {{"", "must contain at least one field"}});
  }
  if (changes.email) changes.email = lower_case(*changes.email);
  auto update = [id, changes = std::move(changes)](db::Connection& connection) {
    return update_by_id(connection, user_shape(), "user", id,
                        {{"email", changed(changes.email)},
                         {"name", changed(changes.name)},
                         {"role", changed(changes.role)},
                         {"department", changed(changes.department)},
                         {"salary_cents", changed(changes.salary_cents)},
                         {"status", changed(changes.status)}},
                        rethrow_as_http);
  };
  std::string body;
  {
    observe::Span span(context, "db");
    body = co_await services.database.write(std::move(update));
  }
  co_await invalidate_user(services.caches, id);
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> delete_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto remove = [id](db::Connection& connection) { delete_by_id(connection, user_shape(), "user", id, rethrow_as_http); };
  {
    observe::Span span(context, "db");
    co_await services.database.write(std::move(remove));
  }
  co_await invalidate_user(services.caches, id);
  context.response.status = 204;
}

asio::awaitable<void> list_users(http::Context& context, Services& services) {
  std::vector<Filter> filters = user_filters(context.request);
  db::Connection& connection = services.database.reader();
  db::QuerySpan span(context, connection);
  respond_list(context, connection, services.cursor_signer, user_shape(), filters);
  co_return;
}

asio::awaitable<void> list_user_orders(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  db::Connection& connection = services.database.reader();
  db::QuerySpan span(context, connection);
  {
    db::Statement exists = connection.prepare("SELECT 1 FROM users WHERE id = ?");
    exists.bind(1, id);
    if (!exists.step()) throw_not_found("user", id);
  }
  list_orders(context, connection, services, id);
  co_return;
}

}  // namespace

const ResourceShape& user_shape() {
  static const ResourceShape shape{"users",
                                   {{"id", ColumnType::integer, true},
                                    {"email", ColumnType::text, true},
                                    {"name", ColumnType::text, true},
                                    {"role", ColumnType::text, true},
                                    {"department", ColumnType::text, true},
                                    {"salary_cents", ColumnType::integer, true},
                                    {"status", ColumnType::text, true},
                                    {"created_at", ColumnType::text, true},
                                    {"updated_at", ColumnType::text, false}},
                                   {}};
  return shape;
}

void add_user_routes(http::Router& router, Services& services) {
  auto bind = [&services](asio::awaitable<void> (*handler)(http::Context&, Services&)) {
    return [&services, handler](http::Context& context) { return handler(context, services); };
  };
  router.post("/v1/users", bind(create_user))
      .name("create_user").tags({"users"})
      .summary("Create a user (409 when the email is taken)")
      .request_schema([](json::JsonWriter& writer) { new_user_schema().write_json_schema(writer); });
  auto list = router.get("/v1/users", bind(list_users));
  list.name("list_users")
      .tags({"users"})
      .summary("List users: role, department, status filters")
      .query_parameter("role", "string", "admin, manager or user")
      .query_parameter("department", "string", "Exact department name")
      .query_parameter("status", "string", "active or disabled");
  document_list_parameters(list);
  router.get("/v1/users/{id:int}", bind(get_user)).name("get_user").tags({"users"}).summary("One user, with a strong ETag");
  router.patch("/v1/users/{id:int}", bind(update_user))
      .name("update_user").tags({"users"})
      .summary("Change some fields of a user")
      .request_schema([](json::JsonWriter& writer) { user_changes_schema().write_json_schema(writer); });
  router.del("/v1/users/{id:int}", bind(delete_user)).name("delete_user").tags({"users"}).summary("Delete a user without orders");
  auto orders = router.get("/v1/users/{id:int}/orders", bind(list_user_orders));
  orders.name("list_user_orders").tags({"users", "orders"}).summary("The user's orders, items embedded");
  orders.query_parameter("status", "string", "pending, confirmed or cancelled");
  document_list_parameters(orders);
}

}  // namespace tachyon::app::acme
