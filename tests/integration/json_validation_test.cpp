// Typed body validation seen from a client: 201 for a valid body, 415 for a wrong content type, 400
// for malformed JSON, 422 listing every failing field at once.
#include <gtest/gtest.h>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

class JsonValidation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::optional<HttpResponse> post(std::string_view body, std::string_view type = "application/json") {
    return request(server_->port(), post_request("/v1/greetings", body, type));
  }
  static ServerProcess* server_;
};
ServerProcess* JsonValidation::server_ = nullptr;

TEST_F(JsonValidation, ValidBodyIsAccepted) {
  auto response = post(R"({"name":"Ada","count":1,"tone":"loud","note":"hi"})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, R"({"greetings":["Hello, Ada!"],"note":"hi"})");
}

TEST_F(JsonValidation, JsonWithCharsetParameterIsAccepted) {
  auto response = post(R"({"name":"Ada","count":1,"tone":"plain"})", "application/json; charset=utf-8");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201);
}

TEST_F(JsonValidation, WrongContentTypeIs415) {
  auto response = post(R"({"name":"Ada","count":1,"tone":"plain"})", "text/plain");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 415);
  EXPECT_EQ(response->header("content-type"), "application/problem+json");
}

TEST_F(JsonValidation, MalformedJsonIs400) {
  auto response = post(R"({"name":"Ada",)");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("malformed JSON"), std::string::npos);
}

TEST_F(JsonValidation, EveryFailingFieldIsListedIn422) {
  auto response = post(R"({"name":"","count":1000,"tone":"angry","extra":true})");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 422);
  EXPECT_EQ(response->header("content-type"), "application/problem+json");
  const std::string& body = response->body;
  EXPECT_NE(body.find(R"("field":"name")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("field":"count","message":"must be <= 100")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("field":"tone")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("field":"extra","message":"unknown field")"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("status":422)"), std::string::npos);
}

TEST_F(JsonValidation, MissingRequiredFieldsAre422) {
  auto response = post("{}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 422);
  EXPECT_NE(response->body.find(R"("field":"name","message":"is required")"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find(R"("field":"count","message":"is required")"), std::string::npos);
}

TEST_F(JsonValidation, ConnectionStaysUsableAfterA422) {
  RawClient client(server_->port());
  client.send(post_request("/v1/greetings", "{}"));
  auto rejected = client.read_response();
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 422);
  client.send(get_request("/plaintext"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

}  // namespace
}  // namespace tachyon::testing
