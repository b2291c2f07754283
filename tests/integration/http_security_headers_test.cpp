// The security headers on every answer over real HTTP (OWASP REST Security Cheat Sheet; OWASP API8,
// security misconfiguration): successes, errors of every kind, 304s and the docs, which keep their own
// Content-Security-Policy, and the answers the connection gives itself to requests too malformed or
// too large to reach a middleware (400, 414, 431); TACHYON_SECURITY_HEADERS=false turning them off; the
// Server field without a version, renamed or left out by TACHYON_SERVER_HEADER.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Requests the parser refuses, so no middleware ever sees them.
const std::vector<std::pair<std::string, int>>& refused_requests() {
  static const std::vector<std::pair<std::string, int>> requests = {
      {"GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n", 400},
      {"GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + std::string(70000, 'b') + "\r\n\r\n", 431},
  };
  return requests;
}

TEST(HttpSecurityHeaders, AnswersToRequestsThatNeverReachTheMiddlewaresCarryThemToo) {
  AcmeServer server;
  for (const auto& [raw, status] : refused_requests()) {
    std::optional<HttpResponse> answer = request(server.port(), raw);
    ASSERT_TRUE(answer.has_value()) << status;
    EXPECT_EQ(answer->status, status);
    expect_security_headers(*answer, api_policy, std::to_string(status));
    EXPECT_EQ(answer->header("server"), "tachyon");
  }
}

TEST(HttpSecurityHeaders, TheSettingTurnsThemOff) {
  AcmeServer server({}, {{"TACHYON_SECURITY_HEADERS", "false"}});
  std::vector<HttpResponse> answers = {server.call_anonymous("GET", "/plaintext")};
  ASSERT_EQ(answers.front().status, 200);
  answers.push_back(request(server.port(), refused_requests().front().first).value());
  ASSERT_EQ(answers.back().status, 400);
  for (const HttpResponse& answer : answers) {
    EXPECT_FALSE(answer.has_header("x-content-type-options")) << answer.status;
    EXPECT_FALSE(answer.has_header("content-security-policy")) << answer.status;
    EXPECT_FALSE(answer.has_header("x-frame-options")) << answer.status;
  }
}

TEST(HttpServerHeader, TheSettingRenamesItOrLeavesItOut) {
  AcmeServer renamed({}, {{"TACHYON_SERVER_HEADER", "acme-api"}});
  EXPECT_EQ(renamed.call_anonymous("GET", "/plaintext").header("server"), "acme-api");
  AcmeServer silent({}, {{"TACHYON_SERVER_HEADER", ""}});
  HttpResponse answer = silent.call_anonymous("GET", "/plaintext");
  ASSERT_EQ(answer.status, 200);
  EXPECT_FALSE(answer.has_header("server"));
  std::optional<HttpResponse> refused = request(silent.port(), refused_requests().front().first);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 400);
  EXPECT_FALSE(refused->has_header("server"));
}

TEST(HttpServerHeader, AValueThatIsNoProductTokenCannotStart) {
  for (const char* value : {"acme api", "acme/1/2", "acme\x01"}) {
    CommandResult check = run_tachyon({"config", "check"}, {{"TACHYON_SERVER_HEADER", value}});
    EXPECT_EQ(check.exit_code, 2) << value;
    EXPECT_NE(check.standard_error.find("TACHYON_SERVER_HEADER"), std::string::npos) << check.standard_error;
  }
}

}  // namespace
}  // namespace tachyon::testing
