// The router: static and typed parameter segments, priority and backtracking, 404/405 facts, HEAD and
// OPTIONS, and registration errors.
#include <gtest/gtest.h>

#include "tachyon/http/router.hpp"

namespace tachyon::http {
namespace {

Handler noop() {
  return [](Context&) -> boost::asio::awaitable<void> { co_return; };
}

class HttpRouter : public ::testing::Test {
 protected:
  HttpRouter() {
    router.get("/", noop()).name("root");
    router.get("/v1/users", noop()).name("list_users");
    router.post("/v1/users", noop()).name("create_user");
    router.get("/v1/users/{id:int}", noop()).name("get_user");
    router.del("/v1/users/{id:int}", noop()).name("delete_user");
    router.get("/v1/users/me", noop()).name("me");
    router.get("/v1/users/{id:int}/orders", noop()).name("user_orders");
    router.get("/files/{name}", noop()).name("file");
    router.get("/files/{name}/raw", noop()).name("file_raw");
  }
  std::string matched(Method method, std::string_view path) {
    RouteMatch match = router.match(method, path, params);
    return match.route ? match.route->metadata.name : (match.path_found ? "405" : "404");
  }
  Router router;
  PathParams params;
};

TEST_F(HttpRouter, MatchesStaticAndTypedSegments) {
  EXPECT_EQ(matched(Method::get, "/"), "root");
  EXPECT_EQ(matched(Method::get, "/v1/users"), "list_users");
  EXPECT_EQ(matched(Method::post, "/v1/users"), "create_user");
  EXPECT_EQ(matched(Method::get, "/v1/users/42"), "get_user");
  EXPECT_EQ(params.integer("id"), 42);
  EXPECT_EQ(matched(Method::get, "/v1/users/-3/orders"), "user_orders");
  EXPECT_EQ(params.integer("id"), -3);
  EXPECT_EQ(matched(Method::get, "/files/report%20v2.pdf"), "file");
  EXPECT_EQ(params.text("name"), "report%20v2.pdf");
}

TEST_F(HttpRouter, StaticSegmentWinsOverParameter) {
  EXPECT_EQ(matched(Method::get, "/v1/users/me"), "me");
}

TEST_F(HttpRouter, IntegerParameterRejectsTextAndOverflow) {
  EXPECT_EQ(matched(Method::get, "/v1/users/abc"), "404");
  EXPECT_EQ(matched(Method::get, "/v1/users/12x"), "404");
  EXPECT_EQ(matched(Method::get, "/v1/users/99999999999999999999"), "404");
}

TEST_F(HttpRouter, TrailingSlashAndEmptySegmentsDoNotMatch) {
  EXPECT_EQ(matched(Method::get, "/v1/users/"), "404");
  EXPECT_EQ(matched(Method::get, "/v1//users"), "404");
  EXPECT_EQ(matched(Method::get, "/files//raw"), "404");
}

TEST_F(HttpRouter, WrongMethodListsAllowedOnes) {
  RouteMatch match = router.match(Method::put, "/v1/users/7", params);
  EXPECT_EQ(match.route, nullptr);
  EXPECT_TRUE(match.path_found);
  EXPECT_EQ(match.allowed_methods, "GET, HEAD, DELETE, OPTIONS");
}

TEST_F(HttpRouter, HeadUsesTheGetRouteAndOptionsIsAnsweredForAnyPath) {
  EXPECT_EQ(matched(Method::head, "/v1/users/7"), "get_user");
  RouteMatch options = router.match(Method::options, "/v1/users", params);
  EXPECT_EQ(options.route, nullptr);
  EXPECT_TRUE(options.path_found);
  EXPECT_EQ(options.allowed_methods, "GET, HEAD, POST, OPTIONS");
}

TEST_F(HttpRouter, RejectsBadTemplatesAndDuplicates) {
  EXPECT_THROW(router.get("no-slash", noop()), std::invalid_argument);
  EXPECT_THROW(router.get("/x/{id:float}", noop()), std::invalid_argument);
  EXPECT_THROW(router.get("/x/{id", noop()), std::invalid_argument);
  EXPECT_THROW(router.get("/v1/users", noop()), std::invalid_argument);
  EXPECT_THROW(router.get("/v1/users/{user:int}/x", noop()), std::invalid_argument);
}

TEST_F(HttpRouter, DefaultRouteNameIsMethodAndTemplate) {
  router.put("/v1/things/{id:int}", noop());
  EXPECT_EQ(matched(Method::put, "/v1/things/1"), "PUT /v1/things/{id:int}");
}

}  // namespace
}  // namespace tachyon::http
