// Authentication over real HTTP (OWASP API2, broken authentication): the token endpoint's grants and
// their RFC 6749 errors, refresh-token rotation and reuse detection (RFC 9700 §4.14), RFC 7009
// revocation, API keys and client credentials, logins ended by a password change, the demo admin,
// revocations and key rotations reaching another instance within a second, and PyJWT (a library nobody
// here wrote) verifying our access tokens against our JWKS. The token suite runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "support/acme_backend.hpp"
#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

constexpr std::string_view form = "Content-Type: application/x-www-form-urlencoded\r\n";
constexpr std::string_view password = "correct horse battery";

std::string field(const HttpResponse& response, std::string_view name) {
  Json parsed(response.body);
  auto value = parsed.root()[name];
  return value.is_string() ? std::string(value.get_string().value()) : std::string();
}

std::string bearer(std::string_view token) {
  return "Authorization: Bearer " + std::string(token) + "\r\n";
}

class Tokens : public ::testing::TestWithParam<AcmeBackend> {
 protected:
  AcmeDatabase database{GetParam()};
  AcmeServer server{{}, database.environment()};

  std::string new_user(std::string_view role = "user") {
    std::string email = "login." + unique_suffix() + "@example.com";
    server.create_user_with_password(email, role, "eng", password);
    return email;
  }
  HttpResponse token_request(std::string_view body, std::string_view extra = "") {
    return server.call_anonymous("POST", "/v1/auth/token", body, std::string(form) + std::string(extra));
  }
  int status_with(std::string_view access_token) {
    return server.call("GET", "/v1/auth/me", "", bearer(access_token)).status;
  }
};

TEST_P(Tokens, PasswordGrantAnswersTheContractFieldsWithNoStore) {
  std::string email = new_user();
  HttpResponse tokens = server.login(email, password);
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_EQ(tokens.header("cache-control"), "no-store");
  EXPECT_EQ(field(tokens, "token_type"), "bearer");
  EXPECT_EQ(Json(tokens.body)["expires_in"].get_int64().value(), 900);
  EXPECT_FALSE(field(tokens, "refresh_token").empty());
  EXPECT_EQ(field(tokens, "scope"), "orders:read orders:write products:read users:read users:write");
  HttpResponse me = server.call("GET", "/v1/auth/me", "", bearer(field(tokens, "access_token")));
  ASSERT_EQ(me.status, 200) << me.body;
  Json identity(me.body);
  EXPECT_EQ(std::string_view(identity["kind"].get_string().value()), "user");
  EXPECT_TRUE(std::string_view(identity["sub"].get_string().value()).starts_with("user:"));
  EXPECT_EQ(std::string_view(identity["roles"].at(0).get_string().value()), "user");
}

TEST_P(Tokens, UnknownUserWrongPasswordAndDisabledUserGetTheSameInvalidGrant) {
  std::string email = new_user();
  std::string disabled = new_user();
  HttpResponse user = server.call("GET", "/v1/users?limit=100");
  std::int64_t disabled_id = 0;
  Json listed_users(user.body);
  simdjson::dom::array items_1 = listed_users["items"].get_array().value();
  for (auto item : items_1) {
    if (std::string_view(item["email"].get_string().value()) == disabled) disabled_id = item["id"].get_int64().value();
  }
  ASSERT_EQ(server.call("PATCH", "/v1/users/" + std::to_string(disabled_id), R"({"status":"disabled"})").status, 200);
  HttpResponse wrong = server.login(email, "not the password");
  HttpResponse unknown = server.login("nobody." + unique_suffix() + "@example.com", password);
  HttpResponse off = server.login(disabled, password);
  for (const HttpResponse& response : {wrong, unknown, off}) {
    EXPECT_EQ(response.status, 400);
    EXPECT_EQ(field(response, "error"), "invalid_grant");
    EXPECT_EQ(response.body, wrong.body) << "the answers must not tell the cases apart";
    EXPECT_EQ(response.header("cache-control"), "no-store");
  }
  // Each failure is a security event, counted by method and outcome.
  std::string log = server.process().wait_for_output("\"reason\":\"unknown_user\"");
  EXPECT_NE(log.find("\"event\":\"login_failed\""), std::string::npos);
  HttpResponse metrics = server.call_anonymous("GET", "/metrics");
  EXPECT_NE(metrics.body.find("tachyon_auth_attempts_total{method=\"password\",outcome=\"failure\"} 3"),
            std::string::npos)
      << metrics.body.substr(0, 200);
}

TEST_P(Tokens, BadRequestsGetRfc6749Errors) {
  EXPECT_EQ(field(token_request("grant_type=magic"), "error"), "unsupported_grant_type");
  EXPECT_EQ(field(token_request("grant_type=password&username=a@b.c"), "error"), "invalid_request");
  EXPECT_EQ(field(token_request("grant_type=password&grant_type=password&username=a&password=b"), "error"),
            "invalid_request");
  HttpResponse json_body = server.call_anonymous("POST", "/v1/auth/token", R"({"grant_type":"password"})");
  EXPECT_EQ(json_body.status, 400);
  EXPECT_EQ(field(json_body, "error"), "invalid_request");
  std::string email = new_user();
  HttpResponse too_wide = server.login(email, password, "admin");
  EXPECT_EQ(too_wide.status, 400);
  EXPECT_EQ(field(too_wide, "error"), "invalid_scope");
}

TEST_P(Tokens, RefreshRotatesAndReusingASpentTokenRevokesTheWholeLogin) {
  std::string email = new_user();
  HttpResponse first = server.login(email, password);
  ASSERT_EQ(first.status, 200);
  std::string spent = field(first, "refresh_token");
  HttpResponse second = token_request("grant_type=refresh_token&refresh_token=" + spent);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(field(second, "refresh_token"), spent);
  EXPECT_EQ(status_with(field(second, "access_token")), 200);
  // An attacker replays the spent token: refused, and every token of that login dies with it.
  HttpResponse replay = token_request("grant_type=refresh_token&refresh_token=" + spent);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(field(replay, "error"), "invalid_grant");
  EXPECT_EQ(status_with(field(first, "access_token")), 401);
  EXPECT_EQ(status_with(field(second, "access_token")), 401);
  HttpResponse successor = token_request("grant_type=refresh_token&refresh_token=" + field(second, "refresh_token"));
  EXPECT_EQ(successor.status, 400);
  // Another login of the same user is untouched.
  EXPECT_EQ(status_with(field(server.login(email, password), "access_token")), 200);
}

TEST_P(Tokens, RevokingAnAccessTokenOrARefreshTokenEndsIt) {
  std::string email = new_user();
  HttpResponse tokens = server.login(email, password);
  std::string access = field(tokens, "access_token");
  ASSERT_EQ(status_with(access), 200);
  HttpResponse revoked = server.call_anonymous("POST", "/v1/auth/revoke", "token=" + access, form);
  EXPECT_EQ(revoked.status, 200);
  EXPECT_EQ(status_with(access), 401);
  // RFC 7009 §2.2: an unknown token is not an error.
  EXPECT_EQ(server.call_anonymous("POST", "/v1/auth/revoke", "token=nonsense", form).status, 200);
  HttpResponse other = server.login(email, password);
  EXPECT_EQ(server.call_anonymous("POST", "/v1/auth/revoke", "token=" + field(other, "refresh_token"), form).status,
            200);
  EXPECT_EQ(status_with(field(other, "access_token")), 401);
  EXPECT_EQ(token_request("grant_type=refresh_token&refresh_token=" + field(other, "refresh_token")).status, 400);
}

TEST_P(Tokens, APasswordChangeEndsEveryLoginOfTheUser) {
  std::string email = new_user();
  std::string access = field(server.login(email, password), "access_token");
  Json me(server.call("GET", "/v1/auth/me", "", bearer(access)).body);
  std::string id = std::string(std::string_view(me["sub"].get_string().value()).substr(5));
  ASSERT_EQ(server.call("PATCH", "/v1/users/" + id, R"({"password":"another good password"})", bearer(access)).status,
            200);
  EXPECT_EQ(status_with(access), 401);
  EXPECT_EQ(server.login(email, password).status, 400);
  EXPECT_EQ(server.login(email, "another good password").status, 200);
}

TEST_P(Tokens, ApiKeysWorkAsBearerOrHeaderAndARevokedOneFailsAtOnce) {
  HttpResponse created =
      server.call("POST", "/v1/admin/api-keys",
                  R"({"name":"ci)" + unique_suffix() + R"(","scopes":"products:read products:write"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("cache-control"), "no-store");
  std::string key = field(created, "key");
  ASSERT_TRUE(key.starts_with("tch_"));
  std::int64_t id = Json(created.body)["id"].get_int64().value();
  std::string product = R"({"sku":"K-)" + unique_suffix() + R"(","name":"K","category":"c","price_cents":1,"stock":1})";
  EXPECT_EQ(server.call("POST", "/v1/products", product, "X-API-Key: " + key + "\r\n").status, 201);
  EXPECT_EQ(server.call("GET", "/v1/auth/me", "", bearer(key)).status, 200);
  // The listing shows the public prefix, never the key.
  HttpResponse listed = server.call("GET", "/v1/admin/api-keys");
  EXPECT_EQ(listed.body.find(key), std::string::npos);
  EXPECT_NE(listed.body.find(key.substr(0, 16)), std::string::npos);
  // A typo is refused by the checksum; a revoked key at once.
  std::string typo = key;
  typo[10] = typo[10] == 'a' ? 'b' : 'a';
  EXPECT_EQ(server.call("GET", "/v1/auth/me", "", "X-API-Key: " + typo + "\r\n").status, 401);
  ASSERT_EQ(server.call("DELETE", "/v1/admin/api-keys/" + std::to_string(id)).status, 204);
  HttpResponse after = server.call("GET", "/v1/auth/me", "", "X-API-Key: " + key + "\r\n");
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.header("www-authenticate"), "Bearer error=\"invalid_token\"");
}

TEST_P(Tokens, ClientCredentialsTradeAnApiKeyForAServiceToken) {
  std::string name = "billing" + unique_suffix();
  HttpResponse created =
      server.call("POST", "/v1/admin/api-keys", R"({"name":")" + name + R"(","scopes":"products:read"})");
  ASSERT_EQ(created.status, 201);
  std::string key = field(created, "key");
  auto basic = [](const std::string& id, const std::string& secret) {
    std::string output;
    run_shell("printf '%s' '" + id + ":" + secret + "' | base64 -w0", output);
    return "Authorization: Basic " + output + "\r\n";
  };
  HttpResponse tokens = token_request("grant_type=client_credentials", basic(name, key));
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_TRUE(field(tokens, "refresh_token").empty());
  HttpResponse identity = server.call("GET", "/v1/auth/me", "", bearer(field(tokens, "access_token")));
  ASSERT_EQ(identity.status, 200) << identity.body;
  Json me(identity.body);
  EXPECT_EQ(std::string_view(me["kind"].get_string().value()), "service");
  EXPECT_EQ(std::string_view(me["sub"].get_string().value()), "service:" + name);
  std::string wrong_key = key;
  wrong_key.back() = wrong_key.back() == 'x' ? 'y' : 'x';  // always another key (one in 64 ends in 'x')
  HttpResponse wrong = token_request("grant_type=client_credentials", basic(name, wrong_key));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(field(wrong, "error"), "invalid_client");
  EXPECT_NE(wrong.header("www-authenticate").find("Basic"), std::string::npos);
}

TEST_P(Tokens, PyJwtVerifiesOurAccessTokenAgainstOurJwksAndRejectsATamperedOne) {
  if (!have_program("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  std::string access = field(server.login(new_user(), password), "access_token");
  std::string jwks = server.call_anonymous("GET", "/.well-known/jwks.json").body;
  TemporaryDirectory directory;
  std::ofstream(directory.path() / "jwks.json") << jwks;
  std::ofstream(directory.path() / "token") << access;
  std::string dot = access.substr(0, access.rfind('.'));
  std::string tampered = access;
  std::size_t payload = access.find('.') + 5;
  tampered[payload] = tampered[payload] == 'A' ? 'B' : 'A';
  std::ofstream(directory.path() / "tampered") << tampered;
  const std::string script =
      "import json, sys, jwt\n"
      "keys = json.load(open(sys.argv[1]))['keys']\n"
      "token = open(sys.argv[2]).read()\n"
      "kid = jwt.get_unverified_header(token)['kid']\n"
      "key = jwt.PyJWK([k for k in keys if k['kid'] == kid][0]).key\n"
      "claims = jwt.decode(token, key, algorithms=['EdDSA'], audience='acme', issuer='tachyon')\n"
      "print(claims['sub'], claims['scope'])\n";
  std::ofstream(directory.path() / "verify.py") << script;
  std::string output;
  std::string base = "/usr/bin/python3 " + (directory.path() / "verify.py").string() + " " +
                     (directory.path() / "jwks.json").string() + " ";
  if (run_shell("/usr/bin/python3 -c 'import jwt, cryptography'", output) != 0) GTEST_SKIP() << "PyJWT missing";
  ASSERT_EQ(run_shell(base + (directory.path() / "token").string(), output), 0) << output;
  EXPECT_NE(output.find("user:"), std::string::npos) << output;
  EXPECT_NE(run_shell(base + (directory.path() / "tampered").string(), output), 0) << output;
}

INSTANTIATE_TEST_SUITE_P(Backends, Tokens, every_backend, backend_name);

TEST(TokensDemoAdmin, TheDemoAdminLogsInWithTheConfiguredPasswordOrAPrintedRandomOne) {
  AcmeServer chosen({}, {{"TACHYON_ADMIN_PASSWORD", "chosen-admin-password"}}, true);
  HttpResponse tokens = chosen.login("admin@acme.test", "chosen-admin-password");
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  EXPECT_NE(field(tokens, "scope").find("admin"), std::string::npos);
  EXPECT_EQ(chosen.process().output().find("chosen-admin-password"), std::string::npos);

  AcmeServer random({}, {}, true);
  std::string log = random.process().wait_for_output("demo admin created with a random password");
  std::size_t at = log.find("\"password\":\"");
  ASSERT_NE(at, std::string::npos) << log;
  std::string generated = log.substr(at + 12, log.find('"', at + 12) - at - 12);
  EXPECT_EQ(random.login("admin@acme.test", generated).status, 200);
}

// Two instances on one database: what one revokes or rotates, the other honours within a second.
TEST(TokensAcrossInstances, ARevocationOrAKeyRotationReachesTheOtherInstanceWithinASecond) {
  TemporaryDirectory directory;
  std::map<std::string, std::string> shared{{"DATABASE_URL", "sqlite:" + (directory.path() / "shared.db").string()}};
  AcmeServer first({}, shared);
  AcmeServer second({}, shared);
  std::string email = "shared." + unique_suffix() + "@example.com";
  first.create_user_with_password(email, "user", "eng", password);
  HttpResponse tokens = first.login(email, password);
  std::string access = field(tokens, "access_token");
  ASSERT_EQ(second.call("GET", "/v1/auth/me", "", bearer(access)).status, 200);  // cached on the second now
  ASSERT_EQ(first.call_anonymous("POST", "/v1/auth/revoke", "token=" + access, form).status, 200);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = second.call("GET", "/v1/auth/me", "", bearer(access)).status;
  }
  EXPECT_EQ(status, 401) << "the second instance still accepts a revoked token";

  std::string old_jwks = second.call_anonymous("GET", "/.well-known/jwks.json").body;
  CommandResult rotated = first.run_cli({"keys", "rotate"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.standard_error;
  std::string jwks = old_jwks;
  for (int attempt = 0; attempt < 30 && jwks == old_jwks; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    jwks = second.call_anonymous("GET", "/.well-known/jwks.json").body;
  }
  EXPECT_EQ(Json(jwks)["keys"].get_array().value().size(), 2u) << jwks;
  // Tokens signed by the retired key keep working until they expire; new ones use the new key.
  std::string fresh = field(second.login(email, password), "access_token");
  EXPECT_EQ(first.call("GET", "/v1/auth/me", "", bearer(fresh)).status, 200);
}

TEST(TokensCli, UserCreateReadsThePasswordFromStandardInputAndApikeyListNeverShowsKeys) {
  AcmeServer server;
  std::string email = "cli." + unique_suffix() + "@example.com";
  CommandResult created =
      server.run_cli({"user", "create", "--email", email, "--role", "manager"}, "a sturdy cli password\n");
  ASSERT_EQ(created.exit_code, 0) << created.standard_error;
  EXPECT_EQ(server.login(email, "a sturdy cli password").status, 200);
  EXPECT_EQ(server.run_cli({"user", "create", "--email", "x" + email, "--role", "user"}, "short\n").exit_code, 2);
  CommandResult changed = server.run_cli({"user", "set-password", "--email", email}, "another sturdy password\n");
  ASSERT_EQ(changed.exit_code, 0) << changed.standard_error;
  EXPECT_EQ(server.login(email, "a sturdy cli password").status, 400);
  EXPECT_EQ(server.login(email, "another sturdy password").status, 200);
  CommandResult listed = server.run_cli({"apikey", "list"});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_EQ(listed.standard_output.find(server.admin_key()), std::string::npos);
  EXPECT_NE(listed.standard_output.find("tests-admin"), std::string::npos);
  EXPECT_EQ(server.run_cli({"apikey", "create", "--name", "bad", "--scopes", "root"}).exit_code, 2);
}

}  // namespace
}  // namespace tachyon::testing
