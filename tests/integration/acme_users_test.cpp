// The users resource of the Acme contract over HTTP against the real binary: create, read, change,
// delete, every error status, list filters, sort, fields, offset pages, and strong ETags with 304.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

std::string user_body(const std::string& email, std::string_view role = "user", std::string_view department = "eng") {
  return R"({"email":")" + email + R"(","name":"Ada Lovelace","role":")" + std::string(role) + R"(","department":")" +
         std::string(department) + R"(","salary_cents":123456})";
}

bool is_rfc3339_utc(std::string_view text) {
  // 2026-11-23T23:58:54.990Z
  return text.size() >= 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' &&
         text[16] == ':' && text.back() == 'Z';
}

class AcmeUsers : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  AcmeDatabase database{GetParam()};
  AcmeServer server{{}, database.environment()};
};

TEST_P(AcmeUsers, CreateAnswers201WithLocationAndStoresTheEmailLowerCase) {
  std::string email = "Ada." + unique_suffix() + "@Example.COM";
  HttpResponse created = server.call("POST", "/v1/users", user_body(email));
  ASSERT_EQ(created.status, 201) << created.body;
  Json user(created.body);
  std::int64_t id = user["id"].get_int64().value();
  EXPECT_GT(id, 0);
  EXPECT_EQ(created.header("location"), "/v1/users/" + std::to_string(id));
  EXPECT_EQ(created.header("content-type"), "application/json");
  std::string lower = email;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(std::string_view(user["email"].get_string().value()), lower);
  EXPECT_EQ(std::string_view(user["status"].get_string().value()), "active");
  EXPECT_EQ(user["salary_cents"].get_int64().value(), 123456);
  EXPECT_TRUE(is_rfc3339_utc(user["created_at"].get_string().value()));

  HttpResponse fetched = server.call("GET", "/v1/users/" + std::to_string(id));
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.body, created.body);
}

TEST_P(AcmeUsers, DuplicateEmailInAnyCaseIs409) {
  std::string email = "dup." + unique_suffix() + "@example.com";
  server.create("/v1/users", user_body(email));
  std::string upper = email;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  HttpResponse again = server.call("POST", "/v1/users", user_body(upper));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.header("content-type"), "application/problem+json");
  EXPECT_NE(again.body.find("email"), std::string::npos);
}

TEST_P(AcmeUsers, InvalidBodyIs422ListingEveryFailingField) {
  HttpResponse response = server.call(
      "POST", "/v1/users",
      R"({"email":"not-an-email","name":"","role":"boss","department":"eng","salary_cents":-1,"nickname":"x"})");
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  auto fields = failing_fields(response);
  for (const char* field : {"email", "name", "role", "salary_cents", "nickname"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end()) << field << " in " << response.body;
  }
}

TEST_P(AcmeUsers, MissingRequiredFieldsAre422) {
  HttpResponse response = server.call("POST", "/v1/users", R"({"email":"a@b.io"})");
  ASSERT_EQ(response.status, 422);
  auto fields = failing_fields(response);
  for (const char* field : {"name", "role", "department", "salary_cents"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end()) << field;
  }
}

TEST_P(AcmeUsers, MalformedJsonIs400AndWrongContentTypeIs415) {
  EXPECT_EQ(server.call("POST", "/v1/users", R"({"email": )").status, 400);
  HttpResponse wrong_type = server.call("POST", "/v1/users", user_body("x@y.io"), "Content-Type: text/plain\r\n");
  EXPECT_EQ(wrong_type.status, 415);
}

TEST_P(AcmeUsers, UnknownIdIs404AndANonIntegerIdIsNoRoute) {
  HttpResponse missing = server.call("GET", "/v1/users/987654321");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");
  EXPECT_EQ(server.call("GET", "/v1/users/abc").status, 404);
  EXPECT_EQ(server.call("PATCH", "/v1/users/987654321", R"({"name":"x"})").status, 404);
  EXPECT_EQ(server.call("DELETE", "/v1/users/987654321").status, 404);
}

TEST_P(AcmeUsers, WrongMethodIs405WithAllow) {
  HttpResponse response = server.call("PUT", "/v1/users/1", R"({"name":"x"})");
  EXPECT_EQ(response.status, 405);
  std::string allow = response.header("allow");
  for (const char* method : {"GET", "PATCH", "DELETE"}) EXPECT_NE(allow.find(method), std::string::npos) << allow;
}

TEST_P(AcmeUsers, PatchChangesOnlyTheGivenFields) {
  std::int64_t id = server.create("/v1/users", user_body("patch." + unique_suffix() + "@example.com"));
  std::string path = "/v1/users/" + std::to_string(id);
  Json before(server.call("GET", path).body);
  HttpResponse patched = server.call("PATCH", path, R"({"department":"research","status":"disabled"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  Json after(patched.body);
  EXPECT_EQ(std::string_view(after["department"].get_string().value()), "research");
  EXPECT_EQ(std::string_view(after["status"].get_string().value()), "disabled");
  EXPECT_EQ(std::string_view(after["name"].get_string().value()),
            std::string_view(before["name"].get_string().value()));
  EXPECT_EQ(std::string_view(after["created_at"].get_string().value()),
            std::string_view(before["created_at"].get_string().value()));
  EXPECT_EQ(server.call("GET", path).body, patched.body);

  EXPECT_EQ(server.call("PATCH", path, "{}").status, 422);
  auto bad = server.call("PATCH", path, R"({"role":"emperor"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(failing_fields(bad), std::vector<std::string>{"role"});
}

TEST_P(AcmeUsers, DeleteAnswers204AndTheUserIsGone) {
  std::int64_t id = server.create("/v1/users", user_body("del." + unique_suffix() + "@example.com"));
  std::string path = "/v1/users/" + std::to_string(id);
  HttpResponse deleted = server.call("DELETE", path);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(server.call("GET", path).status, 404);
  EXPECT_EQ(server.call("DELETE", path).status, 404);
}

TEST_P(AcmeUsers, DeletingAUserWithOrdersIs409) {
  std::int64_t user = server.create("/v1/users", user_body("buyer." + unique_suffix() + "@example.com"));
  std::int64_t product =
      server.create("/v1/products", R"({"sku":"SKU-DEL-)" + unique_suffix() +
                                        R"(","name":"Lamp","category":"home","price_cents":500,"stock":5})");
  server.create("/v1/orders", R"({"user_id":)" + std::to_string(user) + R"(,"items":[{"product_id":)" +
                                  std::to_string(product) + R"(,"quantity":1}]})");
  EXPECT_EQ(server.call("DELETE", "/v1/users/" + std::to_string(user)).status, 409);
  EXPECT_EQ(server.call("GET", "/v1/users/" + std::to_string(user)).status, 200);
}

TEST_P(AcmeUsers, StrongEtagGives304UntilTheUserChanges) {
  std::int64_t id = server.create("/v1/users", user_body("etag." + unique_suffix() + "@example.com"));
  std::string path = "/v1/users/" + std::to_string(id);
  HttpResponse first = server.call("GET", path);
  std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"') << "a strong ETag is a quoted string without W/: " << etag;

  HttpResponse unchanged = server.call("GET", path, "", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_TRUE(unchanged.body.empty());
  EXPECT_EQ(unchanged.header("etag"), etag);
  EXPECT_EQ(server.call("GET", path, "", "If-None-Match: \"other\", " + etag + "\r\n").status, 304);

  ASSERT_EQ(server.call("PATCH", path, R"({"name":"Grace Hopper"})").status, 200);
  HttpResponse changed = server.call("GET", path, "", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
}

INSTANTIATE_TEST_SUITE_P(Backends, AcmeUsers, every_backend, backend_name);

class AcmeUserLists : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new AcmeServer({}, {}, /*demo_data=*/true); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static AcmeServer* server;
};
AcmeServer* AcmeUserLists::server = nullptr;

TEST_F(AcmeUserLists, FiltersReturnOnlyMatchingUsers) {
  Json page(server->call("GET", "/v1/users?role=admin&status=active&limit=100").body);
  auto items = page["items"].get_array().value();
  ASSERT_GT(items.size(), 0u);
  for (simdjson::dom::element user : items) {
    EXPECT_EQ(std::string_view(user["role"].get_string().value()), "admin");
    EXPECT_EQ(std::string_view(user["status"].get_string().value()), "active");
  }
}

TEST_F(AcmeUserLists, InvalidListParametersAre422NamingEachOne) {
  for (const char* query : {"limit=0", "limit=101", "limit=ten", "sort=password", "fields=id,secret", "role=boss",
                            "status=gone", "page=0", "per_page=1000"}) {
    HttpResponse response = server->call("GET", std::string("/v1/users?") + query);
    EXPECT_EQ(response.status, 422) << query << ": " << response.body;
    std::string name(query, std::string_view(query).find('='));
    auto fields = failing_fields(response);
    EXPECT_NE(std::find(fields.begin(), fields.end(), name), fields.end()) << query << ": " << response.body;
  }
}

TEST_F(AcmeUserLists, SortDescendingOrdersTheWholePage) {
  Json page(server->call("GET", "/v1/users?sort=-salary_cents&limit=50").body);
  std::int64_t previous = INT64_MAX;
  simdjson::dom::array array_1 = page["items"].get_array().value();
  for (simdjson::dom::element user : array_1) {
    std::int64_t salary = user["salary_cents"].get_int64().value();
    EXPECT_LE(salary, previous);
    previous = salary;
  }
}

TEST_F(AcmeUserLists, FieldsSelectsExactlyTheNamedMembers) {
  Json page(server->call("GET", "/v1/users?fields=id,email&limit=3").body);
  simdjson::dom::array array_2 = page["items"].get_array().value();
  for (simdjson::dom::element user : array_2) {
    std::vector<std::string> keys;
    simdjson::dom::object members = user.get_object().value();
    for (auto field : members) keys.emplace_back(field.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"id", "email"}));
  }
}

TEST_F(AcmeUserLists, OffsetModeReportsTotalAndPages) {
  HttpResponse response = server->call("GET", "/v1/users?page=2&per_page=7&role=user");
  ASSERT_EQ(response.status, 200) << response.body;
  Json page(response.body);
  std::int64_t total = page["total"].get_int64().value();
  EXPECT_GT(total, 7);
  EXPECT_EQ(page["page"].get_int64().value(), 2);
  EXPECT_EQ(page["per_page"].get_int64().value(), 7);
  EXPECT_EQ(page["pages"].get_int64().value(), (total + 6) / 7);
  EXPECT_EQ(page["items"].get_array().value().size(), 7u);
  Json first(server->call("GET", "/v1/users?page=1&per_page=7&role=user").body);
  EXPECT_NE(simdjson::to_string(first["items"]), simdjson::to_string(page["items"]));
}

TEST_F(AcmeUserLists, CursorModeIsTheDefaultAndEndsWithANullCursor) {
  Json page(server->call("GET", "/v1/users?limit=100&role=admin&department=engineering").body);
  EXPECT_TRUE(page.root()["next_cursor"].is_null() || page.root()["next_cursor"].is_string());
  Json empty(server->call("GET", "/v1/users?department=no-such-department").body);
  EXPECT_EQ(empty["items"].get_array().value().size(), 0u);
  EXPECT_TRUE(empty.root()["next_cursor"].is_null());
}

}  // namespace
}  // namespace tachyon::testing
