// The users resource over HTTP: the request schemas, filters and handlers; user_operations.hpp does the
// work. Who may see or change which user, and which of its fields, is decided by access_policy.hpp from
// the caller's principal.
#include <algorithm>

#include "app/acme/access_policy.hpp"
#include "app/acme/handler_support.hpp"
#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "app/acme/user_operations.hpp"
#include "tachyon/cache/http_cache.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/json_body.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

const json::StringRules email_rules{.max_length = 254, .format = "email"};
const json::StringRules name_rules{.min_length = 1, .max_length = 200};
const json::StringRules role_rules{.one_of = {"admin", "manager", "user"}};
const json::StringRules department_rules{.min_length = 1, .max_length = 100};
const json::IntegerRules salary_rules{.minimum = 0, .maximum = 1'000'000'000'000};
const json::StringRules status_rules{.one_of = {"active", "disabled"}};
const json::StringRules password_rules{.min_length = 8, .max_length = 128};

const json::ObjectSchema<NewUser>& new_user_schema() {
  static const auto schema = json::ObjectSchema<NewUser>("NewUser")
                                 .string("email", &NewUser::email, email_rules)
                                 .string("name", &NewUser::name, name_rules)
                                 .string("role", &NewUser::role, role_rules)
                                 .string("department", &NewUser::department, department_rules)
                                 .integer("salary_cents", &NewUser::salary_cents, salary_rules)
                                 .optional_string("status", &NewUser::status, status_rules)
                                 .optional_string("password", &NewUser::password, password_rules);
  return schema;
}

const json::ObjectSchema<UserChanges>& user_changes_schema() {
  static const auto schema = json::ObjectSchema<UserChanges>("UserChanges")
                                 .optional_string("email", &UserChanges::email, email_rules)
                                 .optional_string("name", &UserChanges::name, name_rules)
                                 .optional_string("role", &UserChanges::role, role_rules)
                                 .optional_string("department", &UserChanges::department, department_rules)
                                 .optional_integer("salary_cents", &UserChanges::salary_cents, salary_rules)
                                 .optional_string("status", &UserChanges::status, status_rules)
                                 .optional_string("password", &UserChanges::password, password_rules);
  return schema;
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

// `fields=` or `sort=` naming a field the caller may not see is refused, not silently dropped.
void require_listable(const http::Request& request, const Viewer& viewer) {
  if (sees_salary_of_every_reachable_user(viewer)) return;
  for (std::string_view parameter : {"fields", "sort"}) {
    std::optional<std::string> value = request.query_param(parameter);
    if (!value) continue;
    std::string_view rest = *value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (item.starts_with('-')) item.remove_prefix(1);
      if (item == "salary_cents") {
        throw http::HttpError(403, std::string(parameter) + " names salary_cents, which you may not see");
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
}

asio::awaitable<void> serve_create_user(http::Context& context, Services& services) {
  NewUser user = http::read_json_body(context, new_user_schema());
  // Refused before the password is hashed, so no caller without the right makes the server hash.
  auto read_viewer = [&](db::Connection& reader) { return viewer_of(*context.principal, reader); };
  require_user_creator(co_await services.database.read(std::move(read_viewer), &context));
  std::optional<std::string> password_hash;
  if (user.password) password_hash = co_await services.passwords.hash(std::exchange(*user.password, {}));
  auto insert = [caller = context.principal, user = std::move(user), password_hash = std::move(password_hash)](
                    db::Connection& writer) { return create_user(writer, *caller, user, password_hash); };
  // A new user was in no cache entry.
  CacheChanges changed = CacheChanges::nothing();
  CreatedUser created = co_await write_then_invalidate(context, services, std::move(insert), std::move(changed));
  respond_created(context, "/v1/users", created.id, std::move(created.json));
}

asio::awaitable<void> get_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto read_view = [&](db::Connection& reader) {
    return view_of_user(viewer_of(*context.principal, reader), reader, id);
  };
  UserView view = co_await services.database.read(std::move(read_view), &context);
  if (!view.visible) throw_not_found("user", id);
  // One cache entry per view, so an answer made for a caller who sees the salary never reaches one
  // who may not. The loader owns what it uses: it may run again later as a background refresh.
  const ResourceShape* shape = &view.shape();
  cache::Loader load = [&database = services.database, shape, id]() -> asio::awaitable<cache::Loaded> {
    auto render = [shape, id](db::Connection& reader) {
      cache::Loaded loaded;
      if (!render_by_id(reader, *shape, id, loaded.body)) throw_not_found("user", id);
      return loaded;
    };
    co_return co_await database.read(std::move(render));
  };
  std::string key = user_key(id, view.with_salary ? UserProjection::with_salary : UserProjection::without_salary);
  std::vector<std::string> no_tags;
  co_await cache::serve_cached(context, services.caches.cache, services.caches.users, std::move(key),
                               std::move(no_tags), std::move(load));
}

asio::awaitable<void> serve_update_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  UserChanges changes = http::read_json_body(context, user_changes_schema());
  std::vector<std::string_view> present = changes.present();
  if (present.empty()) throw http::HttpError(422, "nothing to change", {{"", "must contain at least one field"}});
  // Checked before the password is hashed; update_user checks again with the change.
  auto check = [&](db::Connection& reader) {
    require_changeable(viewer_of(*context.principal, reader), reader, id, present);
  };
  co_await services.database.read(std::move(check), &context);
  std::optional<std::string> password_hash;
  if (changes.password) password_hash = co_await services.passwords.hash(std::exchange(*changes.password, {}));
  const bool ends_logins = changes.password.has_value() || changes.status == "disabled";
  auto update = [caller = context.principal, id, changes = std::move(changes), password_hash = std::move(password_hash),
                 preconditions = http::WritePreconditions::of(context.request)](db::Connection& writer) {
    return update_user(writer, *caller, id, changes, password_hash, preconditions);
  };
  CacheChanges changed = CacheChanges::of_user(id);
  std::string body = co_await write_then_invalidate(context, services, std::move(update), std::move(changed));
  // A new password or a disabled account ends every login of the user, on every instance.
  if (ends_logins) co_await services.identity.revoke_logins_of_user(id);
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> serve_delete_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  http::WritePreconditions preconditions = http::WritePreconditions::of(context.request);
  // A refused precondition must not end the user's logins: checked first here, and again atomically below.
  auto check = [&](db::Connection& reader) {
    UserView view = require_changeable(viewer_of(*context.principal, reader), reader, id);
    check_row_preconditions(reader, {view.shape(), "user", id, preconditions});
  };
  co_await services.database.read(std::move(check), &context);
  co_await services.identity.revoke_logins_of_user(id);  // before its sessions go with it
  auto remove = [caller = context.principal, id, preconditions = std::move(preconditions)](db::Connection& writer) {
    delete_user(writer, *caller, id, preconditions);
  };
  CacheChanges changed = CacheChanges::of_user(id);
  co_await write_then_invalidate(context, services, std::move(remove), std::move(changed));
  context.response.status = 204;
}

asio::awaitable<void> list_users(http::Context& context, Services& services) {
  std::vector<Filter> filters = user_filters(context.request);
  auto list = [&](db::Connection& connection) {
    Viewer viewer = viewer_of(*context.principal, connection);
    require_listable(context.request, viewer);
    if (std::optional<Filter> reach = user_visibility(viewer)) filters.insert(filters.begin(), std::move(*reach));
    const ResourceShape& shape =
        sees_salary_of_every_reachable_user(viewer) ? user_shape() : user_shape_without_salary();
    respond_list(context, connection, services.cursor_signer, shape, filters);
  };
  co_await services.database.read(std::move(list), &context);
}

asio::awaitable<void> list_user_orders(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  auto list = [&](db::Connection& connection) {
    Viewer viewer = viewer_of(*context.principal, connection);
    {
      db::Statement exists = connection.prepare("SELECT 1 FROM users WHERE id = ?");
      exists.bind(1, id);
      if (!exists.step() || !view_of_user(viewer, connection, id).visible) throw_not_found("user", id);
    }
    list_orders(context, connection, services, viewer, id);
  };
  co_await services.database.read(std::move(list), &context);
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

const ResourceShape& user_shape_without_salary() {
  static const ResourceShape shape = [] {
    ResourceShape without = user_shape();
    std::erase_if(without.columns, [](const Column& column) { return column.name == "salary_cents"; });
    return without;
  }();
  return shape;
}

void add_user_routes(http::Router& router, Services& services) {
  router.post("/v1/users", with_services(services, serve_create_user))
      .name("create_user")
      .tags({"users"})
      .requires_scopes({"users:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Create a user (409 when the email is taken)")
      .request_schema([](json::JsonWriter& writer) { new_user_schema().write_json_schema(writer); });
  auto list = router.get("/v1/users", with_services(services, list_users));
  list.name("list_users")
      .tags({"users"})
      .requires_scopes({"users:read"})
      .cache_control(std::string(private_cache_control))
      .summary("List users: role, department, status filters")
      .query_parameter("role", "string", "admin, manager or user")
      .query_parameter("department", "string", "Exact department name")
      .query_parameter("status", "string", "active or disabled");
  document_list_parameters(list);
  router.get("/v1/users/{id:int}", with_services(services, get_user))
      .name("get_user")
      .tags({"users"})
      .requires_scopes({"users:read"})
      .cache_control(std::string(private_cache_control))
      .summary("One user, with a strong ETag");
  router.patch("/v1/users/{id:int}", with_services(services, serve_update_user))
      .name("update_user")
      .requires_precondition(services.require_preconditions)
      .tags({"users"})
      .requires_scopes({"users:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Change some fields of a user")
      .request_schema([](json::JsonWriter& writer) { user_changes_schema().write_json_schema(writer); });
  router.del("/v1/users/{id:int}", with_services(services, serve_delete_user))
      .name("delete_user")
      .requires_precondition(services.require_preconditions)
      .tags({"users"})
      .requires_scopes({"users:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Delete a user without orders");
  auto orders = router.get("/v1/users/{id:int}/orders", with_services(services, list_user_orders));
  orders.name("list_user_orders")
      .tags({"users", "orders"})
      .requires_scopes({"users:read", "orders:read"})
      .cache_control(std::string(private_cache_control))
      .summary("The user's orders, items embedded");
  orders.query_parameter("status", "string", "pending, confirmed or cancelled");
  document_list_parameters(orders);
}

}  // namespace tachyon::app::acme
