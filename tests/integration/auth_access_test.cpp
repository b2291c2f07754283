// Authorization over real HTTP, one OWASP API Security Top 10 (2023) risk per suite and every resource:
// API5 function level (scopes per route), API1 object level (a user's own records, a manager's
// department; out of reach is a 404), API3 property level (salary visibility, `fields`/`sort` naming it,
// mass assignment of admin-only fields), and cached answers never crossing from one caller's view to
// another's. Each runs on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

class Access : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  AcmeDatabase database{GetParam()};
  AcmeServer server{{}, database.environment()};

  std::int64_t new_product() {
    return server.create("/v1/products", R"({"sku":"SKU-)" + unique_suffix() +
                                             R"(","name":"Thing","category":"misc","price_cents":100,"stock":50})");
  }
  std::string order_for(std::int64_t user, std::int64_t product) {
    return R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" + std::to_string(product) +
           R"(,"quantity":1}]})";
  }
  std::int64_t order_of(const AcmeServer::Caller& caller, std::int64_t product) {
    HttpResponse placed = server.call("POST", "/v1/orders", order_for(caller.id, product), caller.headers);
    EXPECT_EQ(placed.status, 201) << placed.body;
    return Json(placed.body)["id"].get_int64().value();
  }
  static std::string user_path(std::int64_t id) { return "/v1/users/" + std::to_string(id); }
  static std::string order_path(std::int64_t id) { return "/v1/orders/" + std::to_string(id); }
};

// API5: broken function level authorization.
TEST_P(Access, AnonymousCallersGet401WithABearerChallengeOnEveryProtectedRoute) {
  for (auto [method, path] : std::initializer_list<std::pair<const char*, const char*>>{{"GET", "/v1/users"},
                                                                                        {"GET", "/v1/users/1"},
                                                                                        {"PATCH", "/v1/users/1"},
                                                                                        {"DELETE", "/v1/users/1"},
                                                                                        {"POST", "/v1/users"},
                                                                                        {"GET", "/v1/users/1/orders"},
                                                                                        {"GET", "/v1/orders"},
                                                                                        {"GET", "/v1/orders/1"},
                                                                                        {"POST", "/v1/orders"},
                                                                                        {"POST", "/v1/orders/1/cancel"},
                                                                                        {"POST", "/v1/products"},
                                                                                        {"PATCH", "/v1/products/1"},
                                                                                        {"DELETE", "/v1/products/1"},
                                                                                        {"GET", "/v1/admin/cache"},
                                                                                        {"GET", "/v1/admin/api-keys"},
                                                                                        {"GET", "/v1/auth/me"}}) {
    HttpResponse response = server.call_anonymous(method, path, std::string_view(method) == "POST" ? "{}" : "");
    EXPECT_EQ(response.status, 401) << method << " " << path << ": " << response.body;
    EXPECT_EQ(response.header("www-authenticate"), "Bearer") << method << " " << path;
    EXPECT_EQ(response.header("content-type"), "application/problem+json");
  }
}

TEST_P(Access, PublicRoutesAnswerWithoutCredentials) {
  std::int64_t product = new_product();
  for (const std::string& path :
       std::vector<std::string>{"/healthz", "/readyz", "/openapi.json", "/v1/products",
                                "/v1/products/" + std::to_string(product), "/.well-known/jwks.json"}) {
    EXPECT_EQ(server.call_anonymous("GET", path).status, 200) << path;
  }
  EXPECT_EQ(server
                .call_anonymous("POST", "/v1/predict",
                                R"({"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2})")
                .status,
            200);
}

TEST_P(Access, AUserLacksProductWriteAndAdminScopesAnd403NamesTheMissingScope) {
  AcmeServer::Caller user = server.new_caller("user");
  std::int64_t product = new_product();
  HttpResponse create = server.call(
      "POST", "/v1/products", R"({"sku":"X-1","name":"X","category":"c","price_cents":1,"stock":1})", user.headers);
  EXPECT_EQ(create.status, 403);
  EXPECT_NE(create.body.find("missing scope: products:write"), std::string::npos) << create.body;
  EXPECT_NE(create.header("www-authenticate").find("insufficient_scope"), std::string::npos);
  EXPECT_EQ(
      server.call("PATCH", "/v1/products/" + std::to_string(product), R"({"price_cents":1})", user.headers).status,
      403);
  EXPECT_EQ(server.call("DELETE", "/v1/products/" + std::to_string(product), "", user.headers).status, 403);
  for (const char* admin_path : {"/v1/admin/cache", "/v1/admin/api-keys"}) {
    HttpResponse admin = server.call("GET", admin_path, "", user.headers);
    EXPECT_EQ(admin.status, 403) << admin_path;
    EXPECT_NE(admin.body.find("missing scope: admin"), std::string::npos) << admin.body;
  }
  // What it may do: read products, and its own user.
  EXPECT_EQ(server.call("GET", "/v1/products/" + std::to_string(product), "", user.headers).status, 200);
  EXPECT_EQ(server.call("GET", user_path(user.id), "", user.headers).status, 200);
}

TEST_P(Access, OnlyAdminsCreateUsers) {
  AcmeServer::Caller manager = server.new_caller("manager");
  HttpResponse response = server.call(
      "POST", "/v1/users",
      R"({"email":"x)" + unique_suffix() + R"(@e.com","name":"X","role":"user","department":"eng","salary_cents":1})",
      manager.headers);
  EXPECT_EQ(response.status, 403) << response.body;
}

TEST_P(Access, ATokenNarrowedToAScopeCannotUseTheOthersItsRoleGrants) {
  std::string email = "narrow." + unique_suffix() + "@example.com";
  std::int64_t id = server.create_user_with_password(email, "user", "eng", "correct horse battery");
  HttpResponse tokens = server.login(email, "correct horse battery", "users:read");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  std::string bearer =
      "Authorization: Bearer " + std::string(Json(tokens.body)["access_token"].get_string().value()) + "\r\n";
  EXPECT_EQ(server.call("GET", user_path(id), "", bearer).status, 200);
  HttpResponse orders = server.call("GET", "/v1/orders", "", bearer);
  EXPECT_EQ(orders.status, 403);
  EXPECT_NE(orders.body.find("orders:read"), std::string::npos);
}

// API1: broken object level authorization.
TEST_P(Access, AUserReachesOnlyTheirOwnUserAndOthersAre404) {
  AcmeServer::Caller alice = server.new_caller("user");
  AcmeServer::Caller bob = server.new_caller("user");
  EXPECT_EQ(server.call("GET", user_path(bob.id), "", alice.headers).status, 404);
  EXPECT_EQ(server.call("PATCH", user_path(bob.id), R"({"name":"Mallory"})", alice.headers).status, 404);
  EXPECT_EQ(server.call("DELETE", user_path(bob.id), "", alice.headers).status, 404);
  EXPECT_EQ(server.call("GET", user_path(bob.id) + "/orders", "", alice.headers).status, 404);
  // Bob is untouched.
  EXPECT_NE(server.call("GET", user_path(bob.id)).body.find("Test User"), std::string::npos);
  HttpResponse list = server.call("GET", "/v1/users?limit=100", "", alice.headers);
  ASSERT_EQ(list.status, 200);
  Json page(list.body);
  std::size_t count = 0;
  simdjson::dom::array items_1 = page["items"].get_array().value();
  for (auto item : items_1) {
    EXPECT_EQ(item["id"].get_int64().value(), alice.id);
    ++count;
  }
  EXPECT_EQ(count, 1u);
}

TEST_P(Access, AUserReachesOnlyTheirOwnOrders) {
  AcmeServer::Caller alice = server.new_caller("user");
  AcmeServer::Caller bob = server.new_caller("user");
  std::int64_t product = new_product();
  std::int64_t bobs = order_of(bob, product);
  std::int64_t alices = order_of(alice, product);
  EXPECT_EQ(server.call("GET", order_path(bobs), "", alice.headers).status, 404);
  EXPECT_EQ(server.call("POST", order_path(bobs) + "/cancel", "", alice.headers).status, 404);
  EXPECT_EQ(server.call("GET", order_path(alices), "", alice.headers).status, 200);
  HttpResponse for_bob = server.call("POST", "/v1/orders", order_for(bob.id, product), alice.headers);
  EXPECT_EQ(for_bob.status, 403) << for_bob.body;
  HttpResponse list = server.call("GET", "/v1/orders?limit=100", "", alice.headers);
  ASSERT_EQ(list.status, 200);
  Json listed_page(list.body);
  simdjson::dom::array items_2 = listed_page["items"].get_array().value();
  for (auto item : items_2) EXPECT_EQ(item["user_id"].get_int64().value(), alice.id);
  // A filter naming another user cannot widen the reach.
  HttpResponse filtered = server.call("GET", "/v1/orders?user_id=" + std::to_string(bob.id), "", alice.headers);
  ASSERT_EQ(filtered.status, 200);
  EXPECT_EQ(Json(filtered.body)["items"].get_array().value().size(), 0u);
}

TEST_P(Access, AManagerReadsTheirDepartmentButNotOthersAndChangesOnlyThemselves) {
  std::string department = "dept-" + unique_suffix();
  AcmeServer::Caller manager = server.new_caller("manager", department);
  AcmeServer::Caller member = server.new_caller("user", department);
  AcmeServer::Caller stranger = server.new_caller("user", "elsewhere-" + unique_suffix());
  std::int64_t product = new_product();
  std::int64_t members_order = order_of(member, product);
  std::int64_t strangers_order = order_of(stranger, product);
  EXPECT_EQ(server.call("GET", user_path(member.id), "", manager.headers).status, 200);
  EXPECT_EQ(server.call("GET", user_path(stranger.id), "", manager.headers).status, 404);
  EXPECT_EQ(server.call("GET", order_path(members_order), "", manager.headers).status, 200);
  EXPECT_EQ(server.call("GET", order_path(strangers_order), "", manager.headers).status, 404);
  EXPECT_EQ(server.call("GET", user_path(member.id) + "/orders", "", manager.headers).status, 200);
  // Reading is not changing: the member's record and orders stay theirs.
  EXPECT_EQ(server.call("PATCH", user_path(member.id), R"({"name":"Renamed"})", manager.headers).status, 403);
  EXPECT_EQ(server.call("POST", order_path(members_order) + "/cancel", "", manager.headers).status, 403);
  HttpResponse list = server.call("GET", "/v1/users?limit=100", "", manager.headers);
  ASSERT_EQ(list.status, 200);
  Json listed_page(list.body);
  simdjson::dom::array items_3 = listed_page["items"].get_array().value();
  for (auto item : items_3) {
    EXPECT_EQ(std::string_view(item["department"].get_string().value()), department);
  }
}

TEST_P(Access, AnApiKeyWithoutAdminReachesNoUserOrOrder) {
  HttpResponse created = server.call(
      "POST", "/v1/admin/api-keys", R"({"name":"reader)" + unique_suffix() + R"(","scopes":"users:read orders:read"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string key = "X-API-Key: " + std::string(Json(created.body)["key"].get_string().value()) + "\r\n";
  AcmeServer::Caller user = server.new_caller("user");
  EXPECT_EQ(server.call("GET", user_path(user.id), "", key).status, 404);
  HttpResponse list = server.call("GET", "/v1/users", "", key);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(Json(list.body)["items"].get_array().value().size(), 0u);
}

// API3: broken object property level authorization.
TEST_P(Access, SalaryIsAbsentForUsersAndShownToAdminsAndTheirManager) {
  std::string department = "pay-" + unique_suffix();
  AcmeServer::Caller manager = server.new_caller("manager", department);
  AcmeServer::Caller member = server.new_caller("user", department);
  EXPECT_EQ(server.call("GET", user_path(member.id), "", member.headers).body.find("salary_cents"), std::string::npos);
  EXPECT_NE(server.call("GET", user_path(member.id), "", manager.headers).body.find("salary_cents"), std::string::npos);
  EXPECT_NE(server.call("GET", user_path(member.id)).body.find("salary_cents"), std::string::npos);  // admin key
  EXPECT_EQ(server.call("GET", "/v1/users", "", member.headers).body.find("salary_cents"), std::string::npos);
}

TEST_P(Access, FieldsOrSortNamingTheSalaryIs403ForAUser) {
  AcmeServer::Caller user = server.new_caller("user");
  for (const char* query : {"?fields=id,salary_cents", "?sort=-salary_cents", "?sort=name,salary_cents"}) {
    HttpResponse response = server.call("GET", std::string("/v1/users") + query, "", user.headers);
    EXPECT_EQ(response.status, 403) << query << ": " << response.body;
    EXPECT_NE(response.body.find("salary_cents"), std::string::npos);
  }
  EXPECT_EQ(server.call("GET", "/v1/users?fields=id,name", "", user.headers).status, 200);
}

TEST_P(Access, MassAssignmentOfAdminOnlyFieldsIs403NamingTheField) {
  AcmeServer::Caller user = server.new_caller("user");
  for (auto [body, field] :
       std::initializer_list<std::pair<const char*, const char*>>{{R"({"role":"admin"})", "role"},
                                                                  {R"({"status":"active"})", "status"},
                                                                  {R"({"department":"board"})", "department"},
                                                                  {R"({"salary_cents":999999999})", "salary_cents"},
                                                                  {R"({"name":"Me","role":"admin"})", "role"}}) {
    HttpResponse response = server.call("PATCH", user_path(user.id), body, user.headers);
    EXPECT_EQ(response.status, 403) << body;
    EXPECT_NE(response.body.find(field), std::string::npos) << response.body;
  }
  HttpResponse me = server.call("GET", user_path(user.id));
  EXPECT_NE(me.body.find("\"role\":\"user\""), std::string::npos) << me.body;
  EXPECT_EQ(server.call("PATCH", user_path(user.id), R"({"name":"New Name"})", user.headers).status, 200);
}

TEST_P(Access, PasswordIsWriteOnlyAndNeverInAnyAnswerOrTheLog) {
  const std::string password = "unmistakable-passphrase-" + unique_suffix();
  std::string email = "secret." + unique_suffix() + "@example.com";
  HttpResponse created = server.call("POST", "/v1/users",
                                     R"({"email":")" + email +
                                         R"(","name":"S","role":"user","department":"eng",)"
                                         R"("salary_cents":1,"password":")" +
                                         password + R"("})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::int64_t id = Json(created.body)["id"].get_int64().value();
  HttpResponse changed = server.call("PATCH", user_path(id), R"({"password":")" + password + R"(-2"})");
  ASSERT_EQ(changed.status, 200);
  HttpResponse short_password = server.call("PATCH", user_path(id), R"({"password":"short"})");
  EXPECT_EQ(short_password.status, 422);
  EXPECT_NE(short_password.body.find("\"password\""), std::string::npos) << "the 422 names the failing field";
  for (const HttpResponse& response :
       {created, changed, server.call("GET", user_path(id)), server.call("GET", "/v1/users?limit=100")}) {
    EXPECT_EQ(response.body.find("password"), std::string::npos) << response.body;
  }
  for (const HttpResponse& response : {created, changed, short_password}) {
    EXPECT_EQ(response.body.find(password), std::string::npos) << response.body;
  }
  EXPECT_EQ(server.login(email, password + "-2").status, 200);
  EXPECT_EQ(server.process().output().find(password), std::string::npos) << "the log holds the password";
  EXPECT_EQ(server.process().output().find("$argon2id$"), std::string::npos) << "the log holds a hash";
}

// Caching: an answer made for one view is never served to a caller who may see less.
TEST_P(Access, ACachedAdminViewIsNeverServedToTheUserThemself) {
  AcmeServer::Caller user = server.new_caller("user");
  HttpResponse admin_view = server.call("GET", user_path(user.id));
  ASSERT_NE(admin_view.body.find("salary_cents"), std::string::npos);
  ASSERT_EQ(server.call("GET", user_path(user.id)).header("x-cache"), "HIT");
  HttpResponse own_view = server.call("GET", user_path(user.id), "", user.headers);
  ASSERT_EQ(own_view.status, 200);
  EXPECT_EQ(own_view.body.find("salary_cents"), std::string::npos) << own_view.body;
  EXPECT_EQ(own_view.header("cache-control"), "private, no-cache");
  EXPECT_EQ(admin_view.header("cache-control"), "private, no-cache");
  // And the other way round: the user's view, cached first, does not hide the salary from an admin.
  AcmeServer::Caller second = server.new_caller("user");
  server.call("GET", user_path(second.id), "", second.headers);
  EXPECT_NE(server.call("GET", user_path(second.id)).body.find("salary_cents"), std::string::npos);
}

TEST_P(Access, CallerDependentAnswersArePrivate) {
  AcmeServer::Caller user = server.new_caller("user");
  std::int64_t order = order_of(user, new_product());
  for (const std::string& path :
       std::vector<std::string>{user_path(user.id), "/v1/users", order_path(order), "/v1/orders", "/v1/auth/me"}) {
    EXPECT_NE(server.call("GET", path, "", user.headers).header("cache-control").find("private"), std::string::npos)
        << path;
  }
}

// The role → scope table is configurable: here managers also get products:write.
TEST(RoleScopes, AConfiguredTableGrantsWhatItSaysAndAnUnknownScopeStopsTheServer) {
  AcmeServer server({}, {{"TACHYON_ROLE_SCOPES",
                          "user=products:read; manager=orders:read products:read products:write "
                          "users:read; admin=admin products:write users:read users:write"}});
  AcmeServer::Caller manager = server.new_caller("manager");
  AcmeServer::Caller user = server.new_caller("user");
  const std::string product = R"({"sku":"SKU-ROLE-)" + unique_suffix() +
                              R"(","name":"Configured","category":"books",)"
                              R"("price_cents":100,"stock":1})";
  EXPECT_EQ(server.call("POST", "/v1/products", product, manager.headers).status, 201);
  HttpResponse refused = server.call("GET", "/v1/orders", "", user.headers);
  EXPECT_EQ(refused.status, 403) << "the table left orders:read out for users";
  EXPECT_NE(refused.body.find("missing scope: orders:read"), std::string::npos) << refused.body;
  HttpResponse me = server.call("GET", "/v1/auth/me", "", user.headers);
  EXPECT_NE(me.body.find("\"scopes\":[\"products:read\"]"), std::string::npos) << me.body;

  TemporaryDirectory directory;
  CommandResult bad =
      run_tachyon({"serve", "--port", "0"}, {{"DATABASE_URL", "sqlite:" + (directory.path() / "a.db").string()},
                                             {"TACHYON_ROLE_SCOPES", "user=products:read salaries:read"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(
      bad.standard_error.find("TACHYON_ROLE_SCOPES: \"user=products:read salaries:read\" names scope 'salaries:read'"),
      std::string::npos)
      << bad.standard_error;
  CommandResult malformed = run_tachyon({"serve", "--port", "0"}, {{"TACHYON_ROLE_SCOPES", "user products:read"}});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.standard_error.find("TACHYON_ROLE_SCOPES"), std::string::npos) << malformed.standard_error;
}

INSTANTIATE_TEST_SUITE_P(Backends, Access, every_backend, backend_name);

}  // namespace
}  // namespace tachyon::testing
