// The server's everyday behaviour seen from a client: routing statuses, HEAD and OPTIONS, request ids,
// response timing, keep-alive rules and pipelining order.
#include <gtest/gtest.h>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

class HttpBasics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }
  static ServerProcess* server_;
};
ServerProcess* HttpBasics::server_ = nullptr;

TEST_F(HttpBasics, HealthzAnswers200WithJson) {
  auto response = request(port(), get_request("/healthz"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-type"), "application/json");
  EXPECT_EQ(response->body, R"({"status":"ok"})");
  EXPECT_FALSE(response->header("date").empty());
  EXPECT_EQ(response->header("server"), "tachyon");
}

TEST_F(HttpBasics, PlaintextAndJsonRoutesServeTheirBodies) {
  auto text = request(port(), get_request("/plaintext"));
  ASSERT_TRUE(text);
  EXPECT_EQ(text->body, "Hello, World!");
  EXPECT_EQ(text->header("content-length"), "13");
  auto json = request(port(), get_request("/json"));
  ASSERT_TRUE(json);
  EXPECT_EQ(json->body, R"({"message":"Hello, World!"})");
}

TEST_F(HttpBasics, UnknownPathIs404ProblemJson) {
  auto response = request(port(), get_request("/nope"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->header("content-type"), "application/problem+json");
  EXPECT_NE(response->body.find(R"("status":404)"), std::string::npos);
  EXPECT_NE(response->body.find("\"request_id\":\"" + response->header("x-request-id") + "\""), std::string::npos);
}

TEST_F(HttpBasics, WrongMethodIs405WithAllow) {
  auto response = request(port(), "DELETE /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(HttpBasics, HeadAnswersLikeGetWithoutBody) {
  RawClient client(port());
  client.send("HEAD /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  auto head = client.read_response(10s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "13");
  // The next response on the same connection must start right away: no body bytes were sent.
  client.send(get_request("/json"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, R"({"message":"Hello, World!"})");
}

TEST_F(HttpBasics, OptionsListsAllowedMethods) {
  auto response = request(port(), "OPTIONS /v1/greetings HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->header("allow"), "POST, OPTIONS");
}

TEST_F(HttpBasics, SaneRequestIdIsEchoedAndOtherwiseReplaced) {
  auto kept = request(port(), get_request("/healthz", "X-Request-ID: abc-123.def_4:5\r\n"));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->header("x-request-id"), "abc-123.def_4:5");
  auto replaced = request(port(), get_request("/healthz", "X-Request-ID: <script>alert(1)</script>\r\n"));
  ASSERT_TRUE(replaced);
  std::string id = replaced->header("x-request-id");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto other = request(port(), get_request("/healthz"));
  EXPECT_NE(other->header("x-request-id"), id);
}

TEST_F(HttpBasics, ResponseTimeHeaderIsMilliseconds) {
  auto response = request(port(), get_request("/plaintext"));
  ASSERT_TRUE(response);
  std::string time = response->header("x-response-time");
  ASSERT_GE(time.size(), 3u);
  EXPECT_EQ(time.substr(time.size() - 2), "ms");
  EXPECT_GE(std::stod(time), 0.0);
}

TEST_F(HttpBasics, KeepAliveServesManyRequestsOnOneConnection) {
  RawClient client(port());
  for (int i = 0; i < 20; ++i) {
    client.send(get_request("/plaintext"));
    auto response = client.read_response();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_FALSE(response->has_header("connection"));
  }
  EXPECT_TRUE(client.is_open());
}

TEST_F(HttpBasics, ConnectionCloseIsHonoured) {
  RawClient client(port());
  client.send(get_request("/plaintext", "Connection: close\r\n"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client.wait_closed(5s));
}

TEST_F(HttpBasics, Http10ClosesUnlessKeepAliveAsked) {
  RawClient plain(port());
  plain.send("GET /plaintext HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(plain.read_response());
  EXPECT_TRUE(plain.wait_closed(5s));

  RawClient kept(port());
  kept.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(kept.read_response());
  kept.send("GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto second = kept.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, R"({"message":"Hello, World!"})");
}

TEST_F(HttpBasics, PipelinedRequestsAreAnsweredInOrder) {
  RawClient client(port());
  std::string batch;
  const std::vector<std::string> paths = {"/json", "/plaintext", "/nope", "/healthz", "/plaintext"};
  for (const auto& path : paths) batch += get_request(path);
  client.send(batch);
  std::vector<std::string> bodies;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto response = client.read_response();
    ASSERT_TRUE(response) << "response " << i;
    bodies.push_back(response->status == 404 ? "404" : response->body);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{R"({"message":"Hello, World!"})", "Hello, World!", "404",
                                              R"({"status":"ok"})", "Hello, World!"}));
}

TEST_F(HttpBasics, PipelinedBatchSplitAcrossWritesStillAnswersInOrder) {
  RawClient client(port());
  std::string batch = get_request("/plaintext") + get_request("/json") + get_request("/healthz");
  std::size_t cut = batch.size() / 2 + 3;  // inside the second request
  client.send(batch.substr(0, cut));
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "Hello, World!");
  client.send(batch.substr(cut));
  auto second = client.read_response();
  auto third = client.read_response();
  ASSERT_TRUE(second && third);
  EXPECT_EQ(second->body, R"({"message":"Hello, World!"})");
  EXPECT_EQ(third->body, R"({"status":"ok"})");
}

TEST_F(HttpBasics, AbsoluteFormTargetIsRoutedByPath) {
  auto response = request(port(), "GET http://test/plaintext?x=1 HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(HttpBasics, EmptyLineBeforeRequestIsTolerated) {
  auto response = request(port(), "\r\n" + get_request("/plaintext"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace tachyon::testing
