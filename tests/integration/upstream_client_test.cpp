// The upstream HTTP client against a real stub upstream on loopback: bodies and statuses passed
// through, failures by kind, keep-alive pooling and its stale-connection retry, chunked bodies, the size
// limit, many concurrent calls on one loop, and HTTPS with and without certificate verification.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <future>
#include <optional>
#include <stdexcept>

#include "support/test_certificate.hpp"
#include "support/upstream_stub.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using upstream::ClientOptions;
using upstream::FailureKind;
using upstream::HttpClient;
using upstream::Response;
using upstream::UpstreamError;
using upstream::Url;
using Headers = std::vector<std::pair<std::string, std::string>>;

asio::awaitable<Response> fetch(HttpClient& client, const Url& url, std::string path, Headers headers) {
  co_return co_await client.get(url, std::move(path), std::move(headers));
}

asio::awaitable<Response> send_post(HttpClient& client, const Url& url, std::string path, upstream::Body body,
                                    Headers headers, upstream::Idempotency idempotency) {
  co_return co_await client.post(url, std::move(path), std::move(body), std::move(headers), idempotency);
}

// Runs the loop until the call finishes (at most 20 s) and returns its response or rethrows its error.
Response post(asio::io_context& io, HttpClient& client, const Url& url, const std::string& path, upstream::Body body,
              upstream::Idempotency idempotency = upstream::Idempotency::not_idempotent, const Headers& headers = {}) {
  auto future =
      asio::co_spawn(io, send_post(client, url, path, std::move(body), headers, idempotency), asio::use_future);
  io.restart();
  io.run_for(20s);
  if (future.wait_for(0s) != std::future_status::ready) throw std::runtime_error("the call did not finish");
  return future.get();
}

// Runs the loop until the call finishes (at most 20 s) and returns its response or rethrows its error.
Response get(asio::io_context& io, HttpClient& client, const Url& url, const std::string& path,
             const Headers& headers = {}) {
  auto future = asio::co_spawn(io, fetch(client, url, path, headers), asio::use_future);
  io.restart();
  io.run_for(20s);
  if (future.wait_for(0s) != std::future_status::ready) throw std::runtime_error("the call did not finish");
  return future.get();
}

// The kind of UpstreamError the call fails with, or nothing when it succeeds.
std::optional<FailureKind> failure(asio::io_context& io, HttpClient& client, const Url& url, const std::string& path) {
  try {
    get(io, client, url, path);
  } catch (const UpstreamError& error) {
    return error.kind();
  }
  return std::nullopt;
}

class UpstreamClient : public ::testing::Test {
 protected:
  HttpClient& client(ClientOptions options = {}) {
    client_.emplace(io_.get_executor(), std::move(options));
    return *client_;
  }
  Url url() const { return upstream::parse_url(stub_.url()); }

  asio::io_context io_{1};
  UpstreamStub stub_;
  std::optional<HttpClient> client_;
};

TEST_F(UpstreamClient, PassesA200BodyThroughUnchangedWithContentTypeAndEtag) {
  Response response = get(io_, client(), url(), "/posts/7");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, UpstreamStub::post_json(7));
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.etag, UpstreamStub::post_etag(7));
  EXPECT_EQ(response.header("CONTENT-LENGTH"), std::to_string(response.body.size()));
}

TEST_F(UpstreamClient, PassesA404Through) {
  Response response = get(io_, client(), url(), "/posts/101");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, R"({"error":"not found"})");
  EXPECT_EQ(client_->counters().responses, 1u);
  EXPECT_EQ(client_->counters().failures_of(FailureKind::protocol_error), 0u);
}

TEST_F(UpstreamClient, SendsTheBasePathHostAndExtraHeaders) {
  Url base = upstream::parse_url(stub_.url() + "/api/");
  Headers headers{{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}, {"Accept", "*/*"}};
  Response response = get(io_, client(), base, "/posts/3", headers);
  EXPECT_EQ(response.body, UpstreamStub::post_json(3));
  std::string request = stub_.last_request();
  EXPECT_EQ(request.rfind("GET /api/posts/3 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(stub_.port()) + "\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\ntraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"),
            std::string::npos);
  EXPECT_NE(request.find("\r\nUser-Agent: tachyon/"), std::string::npos);
}

TEST_F(UpstreamClient, RejectsPathsAndHeadersThatWouldBreakTheRequest) {
  HttpClient& http = client();
  EXPECT_THROW(get(io_, http, url(), "posts/1"), std::invalid_argument);
  EXPECT_THROW(get(io_, http, url(), "/posts/1 HTTP/1.0\r\nX: y"), std::invalid_argument);
  Headers injected{{"X-Trace", "a\r\nX-Evil: 1"}};
  EXPECT_THROW(get(io_, http, url(), "/posts/1", injected), std::invalid_argument);
  EXPECT_EQ(stub_.requests(), 0u);
}

TEST_F(UpstreamClient, ConnectionRefusedIsConnectFailed) {
  stub_.stop_listening();
  HttpClient& http = client();
  EXPECT_EQ(failure(io_, http, url(), "/posts/1"), FailureKind::connect_failed);
  EXPECT_EQ(http.counters().failures_of(FailureKind::connect_failed), 1u);
}

TEST_F(UpstreamClient, ResolvesHostNames) {
  // localhost comes from /etc/hosts (tests reach nothing beyond loopback), through async_resolve.
  Url base = upstream::parse_url("http://localhost:" + std::to_string(stub_.port()));
  Response response = get(io_, client(), base, "/posts/2");
  EXPECT_EQ(response.body, UpstreamStub::post_json(2));
}

TEST_F(UpstreamClient, ConnectThatGetsNoAnswerIsConnectTimeout) {
  // A listener whose accept queue is full drops further SYNs, so connect never completes.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int index = 0; index < 3; ++index) {
    int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(filler);
  }
  Url base = upstream::parse_url("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)));
  EXPECT_EQ(failure(io_, client({.connect_timeout = 200ms}), base, "/posts/1"), FailureKind::connect_timeout);
  for (int filler : fillers) ::close(filler);
  ::close(listener);
}

TEST_F(UpstreamClient, SlowUpstreamIsReadTimeoutAndItsConnectionIsNotReused) {
  stub_.set_delay(2000ms);
  HttpClient& http = client({.read_timeout = 100ms});
  EXPECT_EQ(failure(io_, http, url(), "/posts/1"), FailureKind::read_timeout);
  EXPECT_EQ(http.counters().failures_of(FailureKind::read_timeout), 1u);
  EXPECT_EQ(http.idle_connections(), 0u);
  stub_.set_delay(0ms);
  Response response = get(io_, http, url(), "/posts/1");
  EXPECT_EQ(response.body, UpstreamStub::post_json(1));
  EXPECT_EQ(stub_.accepted_connections(), 2u);
}

TEST_F(UpstreamClient, SequentialGetsReuseOneKeepAliveConnection) {
  HttpClient& http = client();
  for (int id = 1; id <= 50; ++id) {
    Response response = get(io_, http, url(), "/posts/" + std::to_string(id));
    ASSERT_EQ(response.body, UpstreamStub::post_json(id));
  }
  EXPECT_EQ(stub_.accepted_connections(), 1u);
  EXPECT_EQ(http.counters().connections_opened, 1u);
  EXPECT_EQ(http.counters().connections_reused, 49u);
  EXPECT_EQ(http.idle_connections(), 1u);
}

TEST_F(UpstreamClient, ConnectionCloseResponsesAreNotPooled) {
  stub_.set_close_after_response(true);
  HttpClient& http = client();
  for (int id = 1; id <= 3; ++id) EXPECT_EQ(get(io_, http, url(), "/posts/" + std::to_string(id)).status, 200);
  EXPECT_EQ(stub_.accepted_connections(), 3u);
  EXPECT_EQ(http.counters().connections_reused, 0u);
  EXPECT_EQ(http.idle_connections(), 0u);
}

TEST_F(UpstreamClient, PooledConnectionClosedUnderTheRequestIsRetriedOnceOnAFreshOne) {
  // Every connection answers one request and hangs up on the next without a byte of answer.
  stub_.set_hang_up_after(1);
  HttpClient& http = client();
  EXPECT_EQ(get(io_, http, url(), "/posts/1").body, UpstreamStub::post_json(1));
  EXPECT_EQ(get(io_, http, url(), "/posts/2").body, UpstreamStub::post_json(2));
  EXPECT_EQ(http.counters().stale_retries, 1u);
  EXPECT_EQ(stub_.accepted_connections(), 2u);
  EXPECT_EQ(stub_.requests(), 3u);
}

TEST_F(UpstreamClient, APostOnAPooledConnectionClosedUnderItIsNotSentTwiceUnlessIdempotent) {
  stub_.set_hang_up_after(1);
  HttpClient& http = client();
  upstream::Body body{"application/json", R"({"charge":1})"};
  EXPECT_EQ(get(io_, http, url(), "/posts/1").status, 200);  // leaves a pooled connection
  try {
    post(io_, http, url(), "/charges", body);
    ADD_FAILURE() << "a POST the upstream never answered must fail";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.kind(), FailureKind::protocol_error);
  }
  EXPECT_EQ(http.counters().stale_retries, 0u);
  EXPECT_EQ(stub_.requests(), 2u);

  EXPECT_EQ(get(io_, http, url(), "/posts/2").status, 200);
  // Declared idempotent (a purge), it goes again on a fresh connection, which answers (404 here).
  EXPECT_EQ(post(io_, http, url(), "/purge", body, upstream::Idempotency::idempotent).status, 404);
  EXPECT_EQ(http.counters().stale_retries, 1u);
  EXPECT_EQ(stub_.last_request().rfind("POST /purge HTTP/1.1\r\n", 0), 0u) << stub_.last_request();
  EXPECT_NE(stub_.last_request().find("\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"),
            std::string::npos)
      << stub_.last_request();
}

TEST_F(UpstreamClient, APostMayNotSetItsOwnFramingHeaders) {
  HttpClient& http = client();
  for (const char* name : {"Content-Length", "transfer-encoding", "Content-Type"}) {
    EXPECT_THROW(post(io_, http, url(), "/x", upstream::Body{"application/json", "{}"},
                      upstream::Idempotency::not_idempotent, Headers{{name, "5"}}),
                 std::invalid_argument)
        << name;
  }
  EXPECT_EQ(stub_.requests(), 0u);
}

TEST_F(UpstreamClient, FreshConnectionThatHangsUpIsAProtocolErrorNotARetry) {
  stub_.set_hang_up_after(0);
  HttpClient& http = client();
  EXPECT_EQ(failure(io_, http, url(), "/posts/1"), FailureKind::protocol_error);
  EXPECT_EQ(http.counters().stale_retries, 0u);
  EXPECT_EQ(stub_.accepted_connections(), 1u);
}

TEST_F(UpstreamClient, PartialResponseOnAPooledConnectionIsAProtocolErrorNotARetry) {
  HttpClient& http = client();
  EXPECT_EQ(get(io_, http, url(), "/posts/1").status, 200);
  stub_.set_truncate(true);
  EXPECT_EQ(failure(io_, http, url(), "/posts/2"), FailureKind::protocol_error);
  EXPECT_EQ(http.counters().stale_retries, 0u);
  EXPECT_EQ(stub_.accepted_connections(), 1u);
  EXPECT_EQ(stub_.requests(), 2u);
}

TEST_F(UpstreamClient, ChunkedBodiesAreDecodedAndTheConnectionReused) {
  stub_.set_chunked(true);
  HttpClient& http = client();
  for (int id : {5, 6}) {
    Response response = get(io_, http, url(), "/posts/" + std::to_string(id));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, UpstreamStub::post_json(id));
    EXPECT_EQ(response.header("transfer-encoding"), "chunked");
  }
  EXPECT_EQ(stub_.accepted_connections(), 1u);
}

TEST_F(UpstreamClient, BodyOverTheLimitIsTooLargeWhetherSizedOrChunked) {
  std::size_t size = UpstreamStub::post_json(1).size();
  HttpClient& http = client({.max_response_bytes = size - 1});
  EXPECT_EQ(failure(io_, http, url(), "/posts/1"), FailureKind::too_large);
  stub_.set_chunked(true);
  EXPECT_EQ(failure(io_, http, url(), "/posts/1"), FailureKind::too_large);
  EXPECT_EQ(http.counters().failures_of(FailureKind::too_large), 2u);
  EXPECT_EQ(http.idle_connections(), 0u);
}

TEST_F(UpstreamClient, BodyExactlyAtTheLimitIsWhole) {
  std::size_t size = UpstreamStub::post_json(1).size();
  stub_.set_chunked(true);
  Response response = get(io_, client({.max_response_bytes = size}), url(), "/posts/1");
  EXPECT_EQ(response.body, UpstreamStub::post_json(1));
}

asio::awaitable<void> fetch_into(HttpClient& client, const Url& url, int id, std::vector<std::string>& bodies) {
  std::string path = "/posts/" + std::to_string(id);
  Response response = co_await client.get(url, std::move(path));
  bodies[static_cast<std::size_t>(id - 1)] = std::move(response.body);
}

TEST_F(UpstreamClient, ManyConcurrentGetsOnOneLoopAllGetTheirOwnBody) {
  stub_.set_delay(50ms);
  HttpClient& http = client({.max_idle_connections_per_host = 8});
  Url base = url();
  std::vector<std::string> bodies(100);
  std::vector<std::future<void>> calls;
  for (int id = 1; id <= 100; ++id) {
    calls.push_back(asio::co_spawn(io_, fetch_into(http, base, id, bodies), asio::use_future));
  }
  io_.run_for(20s);
  for (auto& call : calls) {
    ASSERT_EQ(call.wait_for(0s), std::future_status::ready);
    call.get();
  }
  for (int id = 1; id <= 100; ++id) EXPECT_EQ(bodies[static_cast<std::size_t>(id - 1)], UpstreamStub::post_json(id));
  // A client that waited for each call in turn would have needed one connection.
  EXPECT_GT(stub_.accepted_connections(), 1u);
  EXPECT_EQ(http.idle_connections(), 8u);
  EXPECT_EQ(http.counters().responses, 100u);
}

class UpstreamClientTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tachyon-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    directory_ = new std::string(pattern);
    server_ = new CertificateFiles(make_self_signed_certificate(*directory_, "server", {"localhost"}, {"127.0.0.1"}));
    other_ = new CertificateFiles(make_self_signed_certificate(*directory_, "other", {"localhost"}, {"127.0.0.1"}));
    elsewhere_ = new CertificateFiles(make_self_signed_certificate(*directory_, "elsewhere", {"upstream.example"}, {}));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*directory_);
    delete directory_;
    delete server_;
    delete other_;
    delete elsewhere_;
  }

  static UpstreamStubOptions serving(const CertificateFiles& files) { return {files.certificate, files.private_key}; }

  static std::string* directory_;
  static CertificateFiles* server_;
  static CertificateFiles* other_;
  static CertificateFiles* elsewhere_;
  asio::io_context io_{1};
};
std::string* UpstreamClientTls::directory_ = nullptr;
CertificateFiles* UpstreamClientTls::server_ = nullptr;
CertificateFiles* UpstreamClientTls::other_ = nullptr;
CertificateFiles* UpstreamClientTls::elsewhere_ = nullptr;

TEST_F(UpstreamClientTls, WithoutVerificationASelfSignedUpstreamAnswers) {
  UpstreamStub stub(serving(*server_));
  HttpClient http(io_.get_executor(), {.verify_tls = false});
  Response response = get(io_, http, upstream::parse_url(stub.url()), "/posts/9");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, UpstreamStub::post_json(9));
}

TEST_F(UpstreamClientTls, TrustedCertificateVerifiesByIpAndByNameAndKeepsTheConnection) {
  UpstreamStub stub(serving(*server_));
  HttpClient http(io_.get_executor(), {.ca_file = server_->certificate});
  Url by_ip = upstream::parse_url(stub.url());
  for (int id = 1; id <= 3; ++id) EXPECT_EQ(get(io_, http, by_ip, "/posts/" + std::to_string(id)).status, 200);
  EXPECT_EQ(stub.accepted_connections(), 1u);
  Url by_name = upstream::parse_url("https://localhost:" + std::to_string(stub.port()));
  EXPECT_EQ(get(io_, http, by_name, "/posts/4").body, UpstreamStub::post_json(4));
}

TEST_F(UpstreamClientTls, CertificateFromAnotherCaIsTlsError) {
  UpstreamStub stub(serving(*server_));
  HttpClient http(io_.get_executor(), {.ca_file = other_->certificate});
  try {
    get(io_, http, upstream::parse_url(stub.url()), "/posts/1");
    ADD_FAILURE() << "an untrusted certificate was accepted";
  } catch (const UpstreamError& error) {
    EXPECT_EQ(error.kind(), FailureKind::tls_error);
    EXPECT_NE(std::string(error.what()).find("certificate"), std::string::npos) << error.what();
  }
  EXPECT_EQ(stub.requests(), 0u);
}

TEST_F(UpstreamClientTls, SelfSignedCertificateFailsAgainstTheSystemStore) {
  UpstreamStub stub(serving(*server_));
  HttpClient http(io_.get_executor(), {});
  EXPECT_EQ(failure(io_, http, upstream::parse_url(stub.url()), "/posts/1"), FailureKind::tls_error);
}

TEST_F(UpstreamClientTls, TrustedCertificateForAnotherHostIsTlsError) {
  UpstreamStub stub(serving(*elsewhere_));
  HttpClient http(io_.get_executor(), {.ca_file = elsewhere_->certificate});
  for (std::string host : {"127.0.0.1", "localhost"}) {
    Url base = upstream::parse_url("https://" + host + ":" + std::to_string(stub.port()));
    try {
      get(io_, http, base, "/posts/1");
      ADD_FAILURE() << "a certificate for another host was accepted for " << host;
    } catch (const UpstreamError& error) {
      EXPECT_EQ(error.kind(), FailureKind::tls_error);
      EXPECT_NE(std::string(error.what()).find("mismatch"), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(stub.requests(), 0u);
}

TEST_F(UpstreamClientTls, MissingCaFileIsTlsError) {
  HttpClient http(io_.get_executor(), {.ca_file = *directory_ + "/missing.pem"});
  Url base = upstream::parse_url("https://127.0.0.1:1");
  EXPECT_EQ(failure(io_, http, base, "/posts/1"), FailureKind::tls_error);
}

}  // namespace
}  // namespace tachyon::testing
