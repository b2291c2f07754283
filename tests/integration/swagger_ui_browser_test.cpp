// Swagger UI in a real browser (headless Debian chromium, driven over WebDriver by
// tests/browser/swagger_authorize.py): "Try it out" on GET /v1/auth/me answers 401 before logging in;
// the Authorize dialog's OAuth2 password flow logs in at POST /v1/auth/token; the same call then answers
// 200 with the logged-in user, and the server logged that user's login.
#include <gtest/gtest.h>

#include <string>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

TEST(SwaggerUiBrowser, AuthorizeLogsInWithThePasswordFlowAndThenCallsAProtectedRoute) {
  if (!have_program("/usr/bin/chromium") || !have_program("/usr/bin/chromedriver")) {
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (scripts/install-deps.sh test)";
  }
  AcmeServer server;
  AcmeServer::Caller user = server.new_caller("user");
  std::string output;
  const std::string command = "printf '%s\\n' 'correct horse battery' | timeout 90 /usr/bin/python3 " +
                              std::string(TACHYON_TEST_SOURCE_DIR) +
                              "/browser/swagger_authorize.py http://127.0.0.1:" + std::to_string(server.port()) +
                              "/docs " + user.email + " - 2>&1";
  ASSERT_EQ(run_shell(command, output), 0) << output;
  Json page(output.substr(output.find('{')));
  EXPECT_EQ(page.root()["before"].get_int64().value(), 401);
  EXPECT_EQ(page.root()["after"].get_int64().value(), 200);
  std::string body(page.root()["body"].get_string().value());
  EXPECT_NE(body.find("\"sub\": \"user:" + std::to_string(user.id) + "\""), std::string::npos) << body;
  // The server saw the browser's login: one from new_caller, one from the Authorize dialog.
  const std::string log = server.process().output();
  const std::string login = "\"event\":\"login_succeeded\",\"subject\":\"user:" + std::to_string(user.id) + "\"";
  std::size_t logins = 0;
  for (std::size_t at = log.find(login); at != std::string::npos; at = log.find(login, at + 1)) ++logins;
  EXPECT_EQ(logins, 2u) << log;
}

}  // namespace
}  // namespace tachyon::testing
