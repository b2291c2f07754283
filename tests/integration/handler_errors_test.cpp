// A library user's handler that throws: the server answers 500 problem+json naming only the request
// id, typed HttpErrors keep their status, the failure kinds of the domain and the database classes map to
// one status each (503 with Retry-After) without the backend's message, and the connection and event loop
// keep serving.
// Runs the server in-process, the way an application embeds the library.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "support/test_server.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/db/database_error.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/server.hpp"
#include "tachyon/http/standard_middleware.hpp"

namespace tachyon::testing {
namespace {

namespace asio = boost::asio;

class HandlerErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router
        .get("/boom",
             [](http::Context&) -> asio::awaitable<void> {
               throw std::runtime_error("database password is hunter2");
               co_return;
             })
        .public_access();
    router
        .get("/conflict",
             [](http::Context&) -> asio::awaitable<void> {
               throw http::HttpError(409, "that name is taken");
               co_return;
             })
        .public_access();
    router
        .get("/challenge",
             [](http::Context& context) -> asio::awaitable<void> {
               context.response.add_header("X-Before-The-Error", "dropped");
               throw http::HttpError(429, "slow down").with_header("Retry-After", "7");
               co_return;
             })
        .public_access();
    router
        .get("/items/{id:int}",
             [](http::Context& context) -> asio::awaitable<void> {
               context.response.set_text(200, "item " + std::to_string(context.params.integer("id")));
               co_return;
             })
        .public_access();
    router
        .get("/failure/{kind:int}",
             [](http::Context& context) -> asio::awaitable<void> {
               auto kind = static_cast<core::FailureKind>(context.params.integer("kind"));
               throw core::Failure(kind, "failure detail", {{"name", "is taken"}});
               co_return;
             })
        .public_access();
    router
        .get("/database/{class:int}",
             [](http::Context& context) -> asio::awaitable<void> {
               auto error_class = static_cast<db::ErrorClass>(context.params.integer("class"));
               throw db::DatabaseError(error_class, 19, "UNIQUE constraint failed: users.email 'secret@example.com'");
               co_return;
             })
        .public_access();
    http::ServerOptions options;
    options.port = 0;
    options.workers = 1;
    server_ =
        std::make_unique<http::Server>(options, http::make_standard_pipeline(std::move(router), {.access_log = false}));
    server_->start();
  }
  void TearDown() override {
    if (!server_) return;
    server_->stop();
    server_->wait();
  }
  std::unique_ptr<http::Server> server_;
};

TEST_F(HandlerErrors, AnErrorKeepsTheHeaderFieldsItCarriesAndDropsWhatTheHandlerSetBefore) {
  auto response = request(server_->port(), get_request("/challenge"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->header("retry-after"), "7");
  EXPECT_FALSE(response->has_header("x-before-the-error"));
  EXPECT_EQ(response->header("content-type"), "application/problem+json");
}

TEST(RouteAccess, APipelineWithARouteThatDeclaresNoAccessRefusesToStart) {
  http::Router router;
  router.get("/forgotten", [](http::Context&) -> asio::awaitable<void> { co_return; });
  try {
    http::make_standard_pipeline(std::move(router), {});
    FAIL() << "an undeclared route was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("GET /forgotten declares no access"), std::string::npos) << error.what();
  }
}

TEST_F(HandlerErrors, ThrowingHandlerGives500WithoutInternalsAndTheConnectionSurvives) {
  RawClient client(server_->port());
  client.send(get_request("/boom"));
  auto failed = client.read_response();
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->header("content-type"), "application/problem+json");
  EXPECT_EQ(failed->body.find("hunter2"), std::string::npos);
  EXPECT_NE(failed->body.find("\"request_id\":\"" + failed->header("x-request-id") + "\""), std::string::npos);

  client.send(get_request("/items/42"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "item 42");
}

TEST_F(HandlerErrors, HttpErrorKeepsItsStatusAndDetail) {
  auto response = request(server_->port(), get_request("/conflict"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 409);
  EXPECT_NE(response->body.find("that name is taken"), std::string::npos);
}

TEST_F(HandlerErrors, EachFailureKindHasItsStatusAndOnlyInternalOnesHideTheDetail) {
  const std::pair<core::FailureKind, int> kinds[] = {{core::FailureKind::invalid, 422},
                                                     {core::FailureKind::not_found, 404},
                                                     {core::FailureKind::forbidden, 403},
                                                     {core::FailureKind::conflict, 409},
                                                     {core::FailureKind::precondition_failed, 412},
                                                     {core::FailureKind::unavailable, 503},
                                                     {core::FailureKind::timeout, 504},
                                                     {core::FailureKind::internal, 500}};
  for (auto [kind, status] : kinds) {
    auto response = request(server_->port(), get_request("/failure/" + std::to_string(static_cast<int>(kind))));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->header("content-type"), "application/problem+json");
    EXPECT_EQ(response->body.find("failure detail") != std::string::npos, status != 500) << response->body;
    EXPECT_EQ(response->body.find("\"field\":\"name\"") != std::string::npos, status != 500) << response->body;
    EXPECT_EQ(response->has_header("retry-after"), status == 503) << status;
  }
}

TEST_F(HandlerErrors, DatabaseErrorClassesMapTheSameOnEveryBackendAndNeverShowTheBackendsMessage) {
  const std::pair<db::ErrorClass, int> classes[] = {{db::ErrorClass::unique_violation, 409},
                                                    {db::ErrorClass::foreign_key_violation, 422},
                                                    {db::ErrorClass::check_violation, 422},
                                                    {db::ErrorClass::serialization_failure, 503},
                                                    {db::ErrorClass::unavailable, 503},
                                                    {db::ErrorClass::timeout, 504},
                                                    {db::ErrorClass::other, 500}};
  for (auto [error_class, status] : classes) {
    auto response = request(server_->port(), get_request("/database/" + std::to_string(static_cast<int>(error_class))));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body.find("secret@example.com"), std::string::npos) << response->body;
    EXPECT_EQ(response->body.find("users.email"), std::string::npos) << response->body;
    if (status == 503) {
      EXPECT_EQ(response->header("retry-after"), "1");
    }
  }
}

TEST_F(HandlerErrors, TypedPathParameterRejectsNonIntegers) {
  auto response = request(server_->port(), get_request("/items/abc"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

}  // namespace
}  // namespace tachyon::testing
