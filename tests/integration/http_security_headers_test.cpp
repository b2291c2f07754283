// The security headers on every answer over real HTTP (OWASP REST Security Cheat Sheet; OWASP API8,
// security misconfiguration): successes, errors of every kind, 304s and the docs, which keep their own
// Content-Security-Policy; and TACHYON_SECURITY_HEADERS=false turning them off.
#include <gtest/gtest.h>

#include <string>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

constexpr std::string_view api_policy = "default-src 'none'; frame-ancestors 'none'";

void expect_security_headers(const HttpResponse& response, std::string_view policy, const std::string& what) {
  EXPECT_EQ(response.header("x-content-type-options"), "nosniff") << what;
  EXPECT_EQ(response.header("x-frame-options"), "DENY") << what;
  EXPECT_EQ(response.header("referrer-policy"), "no-referrer") << what;
  EXPECT_EQ(response.headers.count("content-security-policy"), 1u) << what;
  EXPECT_EQ(response.header("content-security-policy"), policy) << what;
}

TEST(HttpSecurityHeaders, EveryAnswerCarriesThemErrorsAndNotModifiedIncluded) {
  AcmeServer server({}, {}, /*demo_data=*/true);
  HttpResponse product = server.call_anonymous("GET", "/v1/products/1");
  ASSERT_EQ(product.status, 200);
  expect_security_headers(product, api_policy, "200");
  HttpResponse not_modified =
      server.call_anonymous("GET", "/v1/products/1", "", "If-None-Match: " + product.header("etag") + "\r\n");
  ASSERT_EQ(not_modified.status, 304);
  expect_security_headers(not_modified, api_policy, "304");
  expect_security_headers(server.call_anonymous("GET", "/v1/users"), api_policy, "401");
  expect_security_headers(server.call_anonymous("GET", "/v1/nowhere"), api_policy, "404");
  expect_security_headers(server.call_anonymous("PUT", "/v1/products/1"), api_policy, "405");
  expect_security_headers(server.call("POST", "/v1/products", R"({"sku":""})"), api_policy, "422");
  expect_security_headers(server.call_anonymous("OPTIONS", "/v1/products"), api_policy, "OPTIONS");
  expect_security_headers(server.call_anonymous("GET", "/plaintext"), api_policy, "/plaintext");

  HttpResponse docs = server.call_anonymous("GET", "/docs");
  ASSERT_EQ(docs.status, 200);
  EXPECT_EQ(docs.headers.count("content-security-policy"), 1u);
  EXPECT_NE(docs.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(docs.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(docs.headers.count("x-content-type-options"), 1u);
  // No version in Server.
  EXPECT_EQ(product.header("server"), "tachyon");
}

TEST(HttpSecurityHeaders, TheSettingTurnsThemOff) {
  AcmeServer server({}, {{"TACHYON_SECURITY_HEADERS", "false"}});
  HttpResponse answer = server.call_anonymous("GET", "/plaintext");
  ASSERT_EQ(answer.status, 200);
  EXPECT_FALSE(answer.has_header("x-content-type-options"));
  EXPECT_FALSE(answer.has_header("content-security-policy"));
  EXPECT_FALSE(answer.has_header("x-frame-options"));
}

}  // namespace
}  // namespace tachyon::testing
