// Every request limit and framing rule answers with its exact status, and smuggling attempts are
// refused and the connection closed. The server runs with small limits and short timeouts.
#include <gtest/gtest.h>

#include <cstdio>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

class HttpLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess({"--max-request-line-bytes", "1024", "--max-header-bytes", "2048", "--max-header-count",
                                 "20", "--max-body-bytes", "1024", "--header-timeout", "1s", "--idle-timeout", "1s",
                                 "--body-timeout", "1s"});
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::uint16_t port() { return server_->port(); }

  // Sends raw bytes, expects `status`, and expects the server to close the connection afterwards.
  static void expect_status_and_close(const std::string& raw, int status) {
    RawClient client(port());
    client.send(raw);
    auto response = client.read_response();
    ASSERT_TRUE(response) << "no response to: " << raw.substr(0, 80);
    EXPECT_EQ(response->status, status) << raw.substr(0, 80);
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_EQ(response->header("content-type"), "application/problem+json");
    EXPECT_TRUE(client.wait_closed(5s));
  }

  static ServerProcess* server_;
};
ServerProcess* HttpLimits::server_ = nullptr;

const std::string greeting = R"({"name":"Ada","count":2,"tone":"warm"})";

TEST_F(HttpLimits, RequestLineTooLongIs414) {
  expect_status_and_close("GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: test\r\n\r\n", 414);
}

TEST_F(HttpLimits, RequestLineTooLongIs414EvenBeforeItEnds) {
  expect_status_and_close("GET /" + std::string(3000, 'a'), 414);
}

TEST_F(HttpLimits, HeaderSectionTooLargeIs431) {
  expect_status_and_close(get_request("/plaintext", "X-Big: " + std::string(3000, 'b') + "\r\n"), 431);
}

TEST_F(HttpLimits, TooManyHeaderFieldsIs431) {
  std::string headers;
  for (int i = 0; i < 25; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
  expect_status_and_close(get_request("/plaintext", headers), 431);
}

TEST_F(HttpLimits, BodyOverLimitIs413WithoutSendingTheBody) {
  // Only the head is sent: the decision comes from Content-Length alone.
  expect_status_and_close(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
      "Content-Length: 5000\r\n\r\n",
      413);
}

TEST_F(HttpLimits, ChunkedBodyOverLimitIs413) {
  std::string chunk(800, 'x');
  expect_status_and_close(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n320\r\n" +
          chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n",
      413);
}

TEST_F(HttpLimits, ContentLengthWithTransferEncodingIs400AndNothingIsSmuggled) {
  RawClient client(port());
  client.send(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_TRUE(client.wait_closed(5s));  // and no second response for the smuggled GET
}

TEST_F(HttpLimits, TwoContentLengthsAre400EvenWhenEqual) {
  expect_status_and_close(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
      "\r\n{}",
      400);
}

TEST_F(HttpLimits, MalformedContentLengthIs400) {
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: -1\r\n\r\n", 400);
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Length: 1,1\r\n\r\nx", 400);
}

TEST_F(HttpLimits, BareLineFeedIs400) {
  expect_status_and_close("GET /plaintext HTTP/1.1\nHost: test\n\n", 400);
  expect_status_and_close("GET /plaintext HTTP/1.1\r\nHost: test\n\r\n", 400);
}

TEST_F(HttpLimits, ObsoleteLineFoldingIs400) {
  expect_status_and_close("GET /plaintext HTTP/1.1\r\nHost: test\r\nX-Folded: a\r\n b\r\n\r\n", 400);
}

TEST_F(HttpLimits, WhitespaceBeforeColonIs400) {
  expect_status_and_close("GET /plaintext HTTP/1.1\r\nHost : test\r\n\r\n", 400);
}

TEST_F(HttpLimits, MissingOrDuplicateHostIs400) {
  expect_status_and_close("GET /plaintext HTTP/1.1\r\n\r\n", 400);
  expect_status_and_close("GET /plaintext HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

TEST_F(HttpLimits, UnsupportedMethodIs501) {
  expect_status_and_close("BREW /plaintext HTTP/1.1\r\nHost: test\r\n\r\n", 501);
}

TEST_F(HttpLimits, UnknownTransferCodingIs501AndChunkedNotLastIs400) {
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
}

TEST_F(HttpLimits, OtherHttpVersionIs505AndGarbageIs400) {
  expect_status_and_close("GET /plaintext HTTP/2.0\r\nHost: test\r\n\r\n", 505);
  expect_status_and_close("GET /plaintext HTCPCP/1.0\r\nHost: test\r\n\r\n", 400);
}

TEST_F(HttpLimits, UnknownExpectationIs417) {
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n",
                          417);
}

TEST_F(HttpLimits, ChunkedBodyArrivingInPiecesIsDecoded) {
  RawClient client(port());
  auto chunk = [](std::string_view data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + ";ext=1\r\n" + std::string(data) + "\r\n";
  };
  std::string encoded = chunk(greeting.substr(0, 5)) + chunk(greeting.substr(5, 20)) + chunk(greeting.substr(25)) +
                        "0\r\nX-Trailer: yes\r\n\r\n" + get_request("/plaintext");
  client.send(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n");
  for (std::size_t offset = 0; offset < encoded.size(); offset += 7) {  // pieces that cut every line
    client.send(encoded.substr(offset, 7));
    std::this_thread::sleep_for(2ms);
  }
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 201) << response->body;
  EXPECT_EQ(response->body, R"({"greetings":["Dear Ada.","Dear Ada."]})");
  auto next = client.read_response();  // the pipelined request after the chunked body
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "Hello, World!");
}

// Between requests a read lands in a 512-byte area; a head larger than that continues in a pool block, and a
// request pipelined behind it is answered too.
TEST_F(HttpLimits, AHeadLargerThanOneReadIsServedWithTheRequestBehindIt) {
  RawClient client(port());
  std::string large = "GET /plaintext HTTP/1.1\r\nHost: test\r\nX-Padding: " + std::string(1800, 'p') + "\r\n\r\n";
  client.send(large + get_request("/json"));
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "Hello, World!");
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->header("content-type"), "application/json");
  client.send(large);  // and once more on the same, now idle, connection
  auto again = client.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "Hello, World!");
}

TEST_F(HttpLimits, MalformedChunkSizeIs400) {
  expect_status_and_close("POST /v1/greetings HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400);
}

TEST_F(HttpLimits, ExpectContinueGetsInterimResponseBeforeBody) {
  RawClient client(port());
  client.send(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
      "Content-Length: " +
      std::to_string(greeting.size()) + "\r\n\r\n");
  auto interim = client.read_response(5s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  client.send(greeting);
  auto final_response = client.read_response();
  ASSERT_TRUE(final_response);
  EXPECT_EQ(final_response->status, 201);
}

TEST_F(HttpLimits, SlowHeadIsClosedAfterHeaderTimeout) {
  RawClient client(port());
  client.send("GET /plaintext HTTP/1.1\r\nHo");
  EXPECT_TRUE(client.wait_closed(5s));
}

TEST_F(HttpLimits, TricklingHeadIsClosedAtTheHeaderDeadline) {
  RawClient client(port());
  client.send("GET /plaintext HTTP/1.1\r\n");
  auto start = std::chrono::steady_clock::now();
  bool closed = false;
  while (std::chrono::steady_clock::now() - start < 5s) {  // a byte every 200 ms never completes the head
    try {
      client.send("X");
    } catch (const std::exception&) {
      closed = true;
      break;
    }
    if (!client.is_open()) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(closed);
}

TEST_F(HttpLimits, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  RawClient client(port());
  client.send(get_request("/plaintext"));
  ASSERT_TRUE(client.read_response());
  EXPECT_TRUE(client.wait_closed(5s));
}

TEST_F(HttpLimits, SlowBodyGets408) {
  RawClient client(port());
  client.send(
      "POST /v1/greetings HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
      "\r\n{\"name\"");
  auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.wait_closed(5s));
}

TEST(HttpConnectionLimit, AcceptPausesAtTheLimitAndResumesWhenAConnectionCloses) {
  ServerProcess server({"--max-connections", "2"});
  auto first = std::make_unique<RawClient>(server.port());
  RawClient second(server.port());
  for (RawClient* client : {first.get(), &second}) {
    client->send(get_request("/plaintext"));
    ASSERT_TRUE(client->read_response());
  }
  RawClient third(server.port());  // completes in the kernel's backlog, not yet accepted
  third.send(get_request("/plaintext"));
  EXPECT_FALSE(third.read_response(700ms));
  first.reset();  // frees a slot
  auto response = third.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace tachyon::testing
