// CORS over real HTTP (http/cors.hpp), with the attacks browsers' CORS checks exist for (OWASP API8,
// security misconfiguration): origins compared exactly (no suffix, prefix, scheme, case or `null`
// tricks), never a reflected origin, credentials never with `*`; preflights answered without reaching
// access control or a handler, refused with 403 naming what was refused; `Vary: Origin`; errors carry
// the headers too; route overrides (metrics never, the JWKS to anyone, reads only).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

constexpr std::string_view app_origin = "https://app.example.com";

class HttpCors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new AcmeServer({},
                            {{"TACHYON_CORS_ORIGINS", std::string(app_origin) + ",http://localhost:5173"},
                             {"TACHYON_CORS_CREDENTIALS", "true"},
                             {"TACHYON_CORS_METHODS", "GET,HEAD,POST,PATCH"}},
                            /*demo_data=*/true);
  }
  static void TearDownTestSuite() { delete server; }
  static HttpResponse from(std::string_view origin, std::string_view method, const std::string& path,
                           std::string extra = "") {
    std::string headers = origin.empty() ? extra : "Origin: " + std::string(origin) + "\r\n" + extra;
    return server->call_anonymous(method, path, "", headers);
  }
  static HttpResponse preflight(std::string_view origin, const std::string& path, std::string_view method,
                                std::string_view request_headers = "") {
    std::string extra = "Access-Control-Request-Method: " + std::string(method) + "\r\n";
    if (!request_headers.empty()) extra += "Access-Control-Request-Headers: " + std::string(request_headers) + "\r\n";
    return from(origin, "OPTIONS", path, extra);
  }
  static AcmeServer* server;
};
AcmeServer* HttpCors::server = nullptr;

bool varies_by_origin(const HttpResponse& response) {
  return response.header("vary").find("Origin") != std::string::npos;
}

TEST_F(HttpCors, AListedOriginMayReadWithCredentialsAndTheExposedHeaders) {
  HttpResponse answer = from(app_origin, "GET", "/v1/products/1");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.header("access-control-allow-origin"), app_origin);
  EXPECT_EQ(answer.header("access-control-allow-credentials"), "true");
  EXPECT_NE(answer.header("access-control-expose-headers").find("ETag"), std::string::npos);
  EXPECT_TRUE(varies_by_origin(answer));
  EXPECT_EQ(from("http://localhost:5173", "GET", "/v1/products/1").header("access-control-allow-origin"),
            "http://localhost:5173");
}

TEST_F(HttpCors, LookalikeOriginsGetNoGrantAndNothingIsReflected) {
  for (const char* origin :
       {"https://evil.example", "https://app.example.com.evil.example", "https://evilapp.example.com",
        "https://evil.example/https://app.example.com", "http://app.example.com", "https://APP.example.com",
        "https://app.example.com:443", "https://app.example.com:8443", "null", "https://app.example.co"}) {
    HttpResponse answer = from(origin, "GET", "/v1/products/1");
    EXPECT_EQ(answer.status, 200) << origin;  // CORS decides what a browser may read, not who is served
    EXPECT_FALSE(answer.has_header("access-control-allow-origin")) << origin;
    EXPECT_FALSE(answer.has_header("access-control-allow-credentials")) << origin;
    EXPECT_TRUE(varies_by_origin(answer)) << origin;
    for (const auto& [name, value] : answer.headers) EXPECT_EQ(value.find(origin), std::string::npos) << name;
  }
}

TEST_F(HttpCors, WithoutAnOriginThereAreNoCorsHeadersButTheAnswerStillVaries) {
  HttpResponse answer = from("", "GET", "/v1/products/1");
  ASSERT_EQ(answer.status, 200);
  EXPECT_FALSE(answer.has_header("access-control-allow-origin"));
  EXPECT_TRUE(varies_by_origin(answer));
}

TEST_F(HttpCors, APreflightIsAnsweredBeforeAccessControlAndNamesWhatIsAllowed) {
  // PATCH on a user needs a token; the preflight carries none and is still answered.
  HttpResponse answer = preflight(app_origin, "/v1/users/1", "PATCH", "authorization, content-type, if-match");
  ASSERT_EQ(answer.status, 204) << answer.body;
  EXPECT_EQ(answer.header("access-control-allow-origin"), app_origin);
  EXPECT_EQ(answer.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(answer.header("access-control-allow-methods"), "GET, HEAD, POST, PATCH");
  EXPECT_NE(answer.header("access-control-allow-headers").find("If-Match"), std::string::npos);
  EXPECT_EQ(answer.header("access-control-max-age"), "600");
  EXPECT_TRUE(varies_by_origin(answer));
  EXPECT_FALSE(answer.has_header("www-authenticate"));
  EXPECT_TRUE(answer.body.empty());
}

TEST_F(HttpCors, RefusedPreflightsAre403NamingWhatWasRefused) {
  HttpResponse origin = preflight("https://evil.example", "/v1/users/1", "PATCH");
  EXPECT_EQ(origin.status, 403);
  EXPECT_NE(origin.body.find("origin https://evil.example is not allowed"), std::string::npos) << origin.body;
  EXPECT_FALSE(origin.has_header("access-control-allow-origin"));

  HttpResponse method = preflight(app_origin, "/v1/users/1", "DELETE");  // a route, but not in the list
  EXPECT_EQ(method.status, 403);
  EXPECT_NE(method.body.find("method DELETE is not allowed from other origins"), std::string::npos) << method.body;

  HttpResponse header = preflight(app_origin, "/v1/products", "POST", "content-type, x-evil");
  EXPECT_EQ(header.status, 403);
  EXPECT_NE(header.body.find("request header x-evil is not allowed"), std::string::npos) << header.body;

  HttpResponse no_route = preflight(app_origin, "/v1/products/1", "POST");  // no POST on one product
  EXPECT_EQ(no_route.status, 403);
  EXPECT_NE(no_route.body.find("method POST is not allowed on this resource"), std::string::npos) << no_route.body;

  EXPECT_EQ(preflight(app_origin, "/v1/nowhere", "GET").status, 404);
}

TEST_F(HttpCors, APlainOptionsStillListsTheAllowedMethods) {
  HttpResponse answer = from(app_origin, "OPTIONS", "/v1/products/1");
  EXPECT_EQ(answer.status, 204);
  EXPECT_NE(answer.header("allow").find("PATCH"), std::string::npos);
}

TEST_F(HttpCors, ErrorsCarryTheGrantSoTheBrowserPageCanReadThem) {
  HttpResponse unauthorized = from(app_origin, "GET", "/v1/users");
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.header("access-control-allow-origin"), app_origin);
  EXPECT_FALSE(unauthorized.header("www-authenticate").empty());
  HttpResponse missing = from(app_origin, "GET", "/v1/products/999999999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("access-control-allow-origin"), app_origin);
}

TEST_F(HttpCors, RouteOverridesMetricsNeverAndTheJwksToAnyOriginForReadsOnly) {
  HttpResponse metrics = from(app_origin, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_FALSE(metrics.has_header("access-control-allow-origin"));
  EXPECT_EQ(preflight(app_origin, "/metrics", "GET").status, 403);

  HttpResponse jwks = from("https://any-site.example", "GET", "/.well-known/jwks.json");
  EXPECT_EQ(jwks.status, 200);
  EXPECT_EQ(jwks.header("access-control-allow-origin"), "*");
  EXPECT_FALSE(jwks.has_header("access-control-allow-credentials"));
  HttpResponse jwks_preflight = preflight("https://any-site.example", "/.well-known/jwks.json", "GET");
  EXPECT_EQ(jwks_preflight.status, 204);
  EXPECT_EQ(jwks_preflight.header("access-control-allow-methods"), "GET, HEAD");
}

TEST(HttpCorsAnyOrigin, StarAnswersStarWithoutCredentialsAndWithoutVary) {
  AcmeServer server({}, {{"TACHYON_CORS_ORIGINS", "*"}});
  HttpResponse answer = server.call_anonymous("GET", "/v1/products", "", "Origin: https://whoever.example\r\n");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.header("access-control-allow-origin"), "*");
  EXPECT_FALSE(answer.has_header("access-control-allow-credentials"));
  EXPECT_FALSE(varies_by_origin(answer));  // the same answer for every origin
}

TEST(HttpCorsSettings, UnsafeOriginSettingsAreRefusedAtStart) {
  auto check = [](std::map<std::string, std::string> environment) {
    return run_tachyon({"config", "check"}, std::move(environment));
  };
  CommandResult star_credentials = check({{"TACHYON_CORS_ORIGINS", "*"}, {"TACHYON_CORS_CREDENTIALS", "true"}});
  EXPECT_NE(star_credentials.exit_code, 0);
  EXPECT_NE(star_credentials.standard_error.find("TACHYON_CORS_ORIGINS: allows credentials from any origin ('*')"),
            std::string::npos)
      << star_credentials.standard_error;
  for (const char* origins : {"null", "https://app.example.com/", "https://App.example.com", "https://a.example:443",
                              "app.example.com", "*,https://app.example.com"}) {
    CommandResult refused = check({{"TACHYON_CORS_ORIGINS", origins}});
    EXPECT_NE(refused.exit_code, 0) << origins;
    EXPECT_NE(refused.standard_error.find("TACHYON_CORS_ORIGINS"), std::string::npos) << refused.standard_error;
  }
  EXPECT_EQ(check({{"TACHYON_CORS_ORIGINS", "https://app.example.com, http://[::1]:5173"}}).exit_code, 0);
}

}  // namespace
}  // namespace tachyon::testing
