// The users resource: schema, SQL and handlers. Who may see or change which user, and which of its
// fields, is decided by access_policy.hpp from the caller's principal.
#include <algorithm>
#include <cctype>

#include "app/acme/access_policy.hpp"
#include "app/acme/handler_support.hpp"

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
  std::optional<std::string> password;  // write-only: stored as its argon2id hash, never answered
};

struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<std::string> role;
  std::optional<std::string> department;
  std::optional<std::int64_t> salary_cents;
  std::optional<std::string> status;
  std::optional<std::string> password;

  // The fields present in the request body.
  std::vector<std::string_view> present() const {
    std::vector<std::string_view> names;
    if (email) names.push_back("email");
    if (name) names.push_back("name");
    if (role) names.push_back("role");
    if (department) names.push_back("department");
    if (salary_cents) names.push_back("salary_cents");
    if (status) names.push_back("status");
    if (password) names.push_back("password");
    return names;
  }
};

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

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

[[noreturn]] void rethrow_as_http(const db::DatabaseError& error) {
  if (error.error_class() == db::ErrorClass::unique_violation)
    throw http::HttpError(409, "a user with this email already exists");
  if (error.error_class() == db::ErrorClass::foreign_key_violation)
    throw http::HttpError(409, "the user has orders; disable the user instead");
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

// The reader's view of one user: whether it exists for the viewer and whether its salary shows.
struct UserView {
  bool visible = false;
  bool with_salary = false;
};

UserView view_of_user(const Viewer& viewer, db::Connection& reader, std::int64_t id) {
  if (viewer.is_admin()) return {true, true};
  if (viewer.reach == Viewer::Reach::own) return {id == viewer.user_id, false};
  if (viewer.reach == Viewer::Reach::nothing) return {};
  db::Statement department = reader.prepare("SELECT department FROM users WHERE id = ?");
  department.bind(1, id);
  if (!department.step()) return {};
  std::string_view text = department.text(0);
  return {may_see_user(viewer, id, text), sees_salary(viewer, text)};
}

const ResourceShape& shape_for(const UserView& view) {
  return view.with_salary ? user_shape() : user_shape_without_salary();
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

asio::awaitable<void> create_user(http::Context& context, Services& services) {
  NewUser user = http::read_json_body(context, new_user_schema());
  auto read_viewer = [&](db::Connection& reader) { return viewer_of(*context.principal, reader); };
  Viewer viewer = co_await services.database.read(std::move(read_viewer), &context);
  if (!viewer.is_admin()) throw http::HttpError(403, "only admins may create users");
  user.email = lower_case(user.email);
  std::optional<std::string> password_hash;
  if (user.password) password_hash = co_await services.passwords.hash(std::exchange(*user.password, {}));
  auto insert = [user = std::move(user), password_hash = std::move(password_hash)](db::Connection& connection) {
    try {
      std::string now = core::rfc3339_now();
      connection
          .prepare(
              "INSERT INTO users (email, name, role, department, salary_cents, status, created_at, updated_at, "
              "password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .bind(1, std::string_view(user.email))
          .bind(2, std::string_view(user.name))
          .bind(3, std::string_view(user.role))
          .bind(4, std::string_view(user.department))
          .bind(5, user.salary_cents)
          .bind(6, std::string_view(user.status.value_or("active")))
          .bind(7, std::string_view(now))
          .bind(8, std::string_view(now))
          .bind(9, password_hash)
          .run();
    } catch (const db::DatabaseError& error) {
      rethrow_as_http(error);
    }
    std::int64_t new_id = connection.last_insert_id();
    std::string rendered;
    render_by_id(connection, user_shape(), new_id, rendered);
    return std::pair{new_id, rendered};
  };
  // A new user was in no cache entry.
  CacheChanges changed = CacheChanges::nothing();
  std::pair<std::int64_t, std::string> created =
      co_await write_then_invalidate(context, services, std::move(insert), std::move(changed));
  respond_created(context, "/v1/users", created.first, std::move(created.second));
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
  const ResourceShape* shape = &shape_for(view);
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

// The caller may change the user: 404 when it is out of their sight, 403 when they may only look.
UserView require_changeable(const Viewer& viewer, db::Connection& reader, std::int64_t id) {
  UserView view = view_of_user(viewer, reader, id);
  if (!view.visible) throw_not_found("user", id);
  if (!may_change_user(viewer, id)) throw http::HttpError(403, "you may change only your own user");
  return view;
}

asio::awaitable<void> update_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  UserChanges changes = http::read_json_body(context, user_changes_schema());
  std::vector<std::string_view> present = changes.present();
  if (present.empty()) throw http::HttpError(422, "nothing to change", {{"", "must contain at least one field"}});
  auto read_viewer = [&](db::Connection& reader) {
    Viewer viewer = viewer_of(*context.principal, reader);
    UserView view = require_changeable(viewer, reader, id);
    return std::pair{viewer, view};
  };
  auto [viewer, view] = co_await services.database.read(std::move(read_viewer), &context);
  require_assignable(viewer, present);
  if (changes.email) changes.email = lower_case(*changes.email);
  std::optional<std::string> password_hash;
  if (changes.password) password_hash = co_await services.passwords.hash(std::exchange(*changes.password, {}));
  const bool ends_logins = changes.password.has_value() || changes.status == "disabled";
  const ResourceShape* shape = &shape_for(view);
  auto update = [id, shape, changes = std::move(changes), password_hash = std::move(password_hash),
                 preconditions = http::WritePreconditions::of(context.request)](db::Connection& connection) {
    return update_by_id(connection, {*shape, "user", id, preconditions},
                        {{"email", changed(changes.email)},
                         {"name", changed(changes.name)},
                         {"role", changed(changes.role)},
                         {"department", changed(changes.department)},
                         {"salary_cents", changed(changes.salary_cents)},
                         {"status", changed(changes.status)},
                         {"password_hash", changed(password_hash)}},
                        rethrow_as_http);
  };
  CacheChanges changed = CacheChanges::of_user(id);
  std::string body = co_await write_then_invalidate(context, services, std::move(update), std::move(changed));
  // A new password or a disabled account ends every login of the user, on every instance.
  if (ends_logins) co_await services.identity.revoke_logins_of_user(id);
  respond_json_with_etag(context, std::move(body));
}

asio::awaitable<void> delete_user(http::Context& context, Services& services) {
  std::int64_t id = context.params.integer("id");
  http::WritePreconditions preconditions = http::WritePreconditions::of(context.request);
  // A refused precondition must not end the user's logins: checked first here, and again atomically below.
  auto check = [&](db::Connection& reader) {
    const ResourceShape* shape = &shape_for(require_changeable(viewer_of(*context.principal, reader), reader, id));
    check_row_preconditions(reader, {*shape, "user", id, preconditions});
    return shape;
  };
  const ResourceShape* shape = co_await services.database.read(std::move(check), &context);
  co_await services.identity.revoke_logins_of_user(id);  // before its sessions go with it
  auto remove = [id, shape, preconditions = std::move(preconditions)](db::Connection& connection) {
    delete_by_id(connection, {*shape, "user", id, preconditions}, rethrow_as_http);
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
  router.post("/v1/users", with_services(services, create_user))
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
  router.patch("/v1/users/{id:int}", with_services(services, update_user))
      .name("update_user")
      .requires_precondition(services.require_preconditions)
      .tags({"users"})
      .requires_scopes({"users:write"})
      .cache_control(std::string(private_cache_control))
      .summary("Change some fields of a user")
      .request_schema([](json::JsonWriter& writer) { user_changes_schema().write_json_schema(writer); });
  router.del("/v1/users/{id:int}", with_services(services, delete_user))
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
