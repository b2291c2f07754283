// The HTTPS listener with real clients (curl, openssl s_client, Python's ssl): certificate verification,
// HSTS over TLS only, ALPN http/1.1, TLS 1.3 and 1.2, old protocols and weak ciphers refused, session
// resumption, a large streamed body intact, heads and bodies that span records, and the attacks on the handshake (issue
// 13 "Bad input"): plain HTTP on the TLS port gets a 400, a stalled handshake is cut by the header timeout, garbage
// ClientHellos leave the server serving. Plus the settings that cannot serve (a key without its
// certificate, a key of another certificate).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "support/acme_support.hpp"
#include "support/test_certificate.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

class HttpsListener : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new TemporaryDirectory();
    certificate = new CertificateFiles(
        make_self_signed_certificate(directory->path().string(), "server", {"localhost"}, {"127.0.0.1"}));
    server = new AcmeServer(
        {"--tls-port", "0", "--header-timeout", "1s"},
        {{"TACHYON_TLS_CERT_FILE", certificate->certificate}, {"TACHYON_TLS_KEY_FILE", certificate->private_key}},
        /*demo_data=*/true);
    port = server->process().wait_for_https_port();
  }
  static void TearDownTestSuite() {
    delete server;
    delete certificate;
    delete directory;
  }
  static std::string url(std::string_view path) {
    return "https://127.0.0.1:" + std::to_string(port) + std::string(path);
  }
  // `openssl s_client` against the listener with `options`; its whole output.
  static std::string s_client(const std::string& options, int& exit_code) {
    std::string output;
    exit_code = run_shell(
        "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) + " " + options + " 2>&1",
        output);
    return output;
  }

  static TemporaryDirectory* directory;
  static CertificateFiles* certificate;
  static AcmeServer* server;
  static std::uint16_t port;
};
TemporaryDirectory* HttpsListener::directory = nullptr;
CertificateFiles* HttpsListener::certificate = nullptr;
AcmeServer* HttpsListener::server = nullptr;
std::uint16_t HttpsListener::port = 0;

TEST_F(HttpsListener, CurlVerifiesTheCertificateAndHstsComesOverTlsOnly) {
  ASSERT_NE(port, 0);
  std::string output;
  ASSERT_EQ(run_shell("curl -sS -D - --cacert " + certificate->certificate + " " + url("/plaintext"), output), 0)
      << output;
  EXPECT_EQ(output.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << output;
  EXPECT_NE(output.find("\r\nStrict-Transport-Security: max-age=63072000\r\n"), std::string::npos) << output;
  EXPECT_TRUE(output.ends_with("\r\n\r\nHello, World!")) << output;
  EXPECT_FALSE(server->call_anonymous("GET", "/plaintext").has_header("strict-transport-security"));
  // Without the certificate as trust anchor, curl refuses the self-signed one: verification is real.
  EXPECT_NE(run_shell("curl -sS -o /dev/null " + url("/plaintext") + " 2>&1", output), 0);
}

TEST_F(HttpsListener, PythonSslReadsAnAuthenticatedAnswer) {
  std::string output;
  std::string script =
      "import ssl, urllib.request, sys\n"
      "context = ssl.create_default_context(cafile=sys.argv[1])\n"
      "request = urllib.request.Request(sys.argv[2], headers={'X-API-Key': sys.argv[3]})\n"
      "print(urllib.request.urlopen(request, context=context).read().decode())\n";
  std::ofstream(directory->path() / "client.py") << script;
  ASSERT_EQ(run_shell("/usr/bin/python3 " + (directory->path() / "client.py").string() + " " +
                          certificate->certificate + " " + url("/v1/auth/me") + " " + server->admin_key() + " 2>&1",
                      output),
            0)
      << output;
  EXPECT_NE(output.find("\"sub\":"), std::string::npos) << output;
  EXPECT_NE(output.find("\"scopes\":"), std::string::npos) << output;
}

TEST_F(HttpsListener, AlpnChoosesHttp11AndTls13IsSpoken) {
  int exit_code = 0;
  std::string output = s_client("-alpn h2,http/1.1", exit_code);
  EXPECT_NE(output.find("ALPN protocol: http/1.1"), std::string::npos) << output;
  EXPECT_NE(output.find("TLSv1.3"), std::string::npos) << output;
  output = s_client("-tls1_2", exit_code);
  EXPECT_NE(output.find("New, TLSv1.2, Cipher is ECDHE-"), std::string::npos) << output;
}

TEST_F(HttpsListener, OldProtocolsAndWeakCiphersAreRefused) {
  int exit_code = 0;
  // The client is told to allow them (security level 0), so a refusal is the server's.
  for (const char* protocol : {"-tls1", "-tls1_1"}) {
    std::string output = s_client(std::string(protocol) + " -cipher 'DEFAULT:@SECLEVEL=0'", exit_code);
    EXPECT_NE(exit_code, 0) << protocol;
    EXPECT_NE(output.find("alert protocol version"), std::string::npos) << protocol << ": " << output;
  }
  for (const char* cipher : {"AES128-SHA", "ECDHE-RSA-AES128-SHA", "DES-CBC3-SHA", "NULL-SHA256"}) {
    std::string output = s_client(std::string("-tls1_2 -cipher '") + cipher + ":@SECLEVEL=0'", exit_code);
    EXPECT_NE(exit_code, 0) << cipher;
    EXPECT_EQ(output.find("Cipher is " + std::string(cipher)), std::string::npos) << output;
  }
}

TEST_F(HttpsListener, ASessionIsResumed) {
  std::string session = (directory->path() / "session.pem").string();
  int exit_code = 0;
  std::string first = s_client("-tls1_2 -sess_out " + session, exit_code);
  ASSERT_NE(first.find("New, TLSv1.2"), std::string::npos) << first;
  std::string second = s_client("-tls1_2 -sess_in " + session, exit_code);
  EXPECT_NE(second.find("Reused, TLSv1.2"), std::string::npos) << second;
}

TEST_F(HttpsListener, ALargeStreamedExportArrivesWholeAndCompressedAnswersDecode) {
  std::string output;
  ASSERT_EQ(run_shell("curl -sS --cacert " + certificate->certificate + " -H 'Accept: application/x-ndjson' '" +
                          url("/v1/products?sort=id") + "' | wc -l",
                      output),
            0);
  EXPECT_EQ(std::stoi(output), 500) << "every demo product, one line each: " << output;
  output.clear();
  ASSERT_EQ(
      run_shell("curl -sS --compressed --cacert " + certificate->certificate + " '" + url("/v1/products?limit=100") +
                    "' | /usr/bin/python3 -c " + "'import json,sys; print(len(json.load(sys.stdin)[\"items\"]))'",
                output),
      0)
      << output;
  EXPECT_EQ(std::stoi(output), 100) << output;
}

// The read path stages ciphertext in a 512-byte landing area between requests and in a pool block inside a
// record: a head larger than the landing area that arrives a record at a time, a 200 KB body in a dozen
// records with a request pipelined behind it, all on one connection, each answered whole.
TEST_F(HttpsListener, LargeHeadsBodiesAndPipelinedRequestsCrossRecordsIntact) {
  std::string script =
      "import socket, ssl, sys, time\n"
      "context = ssl.create_default_context(cafile=sys.argv[1])\n"
      "raw = socket.create_connection(('127.0.0.1', int(sys.argv[2])))\n"
      "tls = context.wrap_socket(raw, server_hostname='localhost')\n"
      "tls.settimeout(10)\n"
      "received = b''\n"
      "def read_until(count):\n"
      "    global received\n"
      "    while received.count(b'HTTP/1.1 ') < count:\n"
      "        piece = tls.recv(65536)\n"
      "        if not piece: break\n"
      "        received += piece\n"
      "head = b'GET /plaintext HTTP/1.1\\r\\nHost: localhost\\r\\nX-Padding: ' + b'p' * 3000 + b'\\r\\n\\r\\n'\n"
      "for offset in range(0, len(head), 100):\n"
      "    tls.sendall(head[offset:offset + 100])\n"
      "    time.sleep(0.002)\n"
      "read_until(1)\n"
      "body = b'{\"name\":\"Ada\",' + b' ' * 200000 + b'\"count\":3,\"tone\":\"warm\"}'\n"
      "tls.sendall(b'POST /v1/greetings HTTP/1.1\\r\\nHost: localhost\\r\\nX-API-Key: ' + sys.argv[3].encode() +\n"
      "            b'\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + str(len(body)).encode() +\n"
      "            b'\\r\\n\\r\\n' + body + b'GET /plaintext HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n')\n"
      "read_until(3)\n"
      "sys.stdout.write(received.decode())\n";
  std::ofstream(directory->path() / "records.py") << script;
  std::string output;
  ASSERT_EQ(run_shell("/usr/bin/python3 " + (directory->path() / "records.py").string() + " " +
                          certificate->certificate + " " + std::to_string(port) + " " + server->admin_key() + " 2>&1",
                      output),
            0)
      << output;
  std::size_t first = output.find("HTTP/1.1 200 OK\r\n");
  std::size_t second = output.find("HTTP/1.1 201 Created\r\n", first);
  std::size_t third = output.find("HTTP/1.1 200 OK\r\n", second);
  ASSERT_EQ(first, 0u) << output.substr(0, 400);
  ASSERT_NE(second, std::string::npos) << output.substr(0, 2000);
  ASSERT_NE(third, std::string::npos) << output.substr(0, 2000);
  EXPECT_NE(output.find("Hello, World!"), std::string::npos);
  EXPECT_NE(output.find(R"({"greetings":["Dear Ada.","Dear Ada.","Dear Ada."]})", second), std::string::npos)
      << output.substr(second, 1000);
  EXPECT_TRUE(output.ends_with("\r\n\r\nHello, World!")) << output.substr(third);
}

TEST_F(HttpsListener, PlainHttpOnTheTlsPortGetsA400SayingSo) {
  std::optional<HttpResponse> answer = request(port, get_request("/plaintext"));
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 400);
  EXPECT_NE(answer->body.find("https://"), std::string::npos) << answer->body;
}

TEST_F(HttpsListener, AStalledHandshakeIsCutByTheHeaderTimeout) {
  RawClient silent(port);
  EXPECT_TRUE(silent.wait_closed(5s));
  RawClient partial(port);
  partial.send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));  // half a ClientHello
  EXPECT_TRUE(partial.wait_closed(5s));
}

TEST_F(HttpsListener, GarbageClientHellosAreClosedAndTheServerKeepsServing) {
  std::mt19937 random(20261204);
  for (int attempt = 0; attempt < 20; ++attempt) {
    RawClient client(port);
    std::string garbage(64 + attempt * 200, '\0');
    for (char& byte : garbage) byte = static_cast<char>(random());
    if (attempt % 2 == 0)
      garbage.replace(0, 5, std::string("\x16\x03\x01\xff\xff", 5));  // a record header lying about its size
    client.send(garbage);
    EXPECT_TRUE(client.wait_closed(5s)) << attempt;
  }
  std::string output;
  EXPECT_EQ(run_shell("curl -sS --cacert " + certificate->certificate + " " + url("/plaintext"), output), 0) << output;
  EXPECT_EQ(output, "Hello, World!");
}

// A port nothing listens on now (bound to 0 and released), for settings that need a fixed one.
std::uint16_t unused_port() {
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(probe);
  return ntohs(address.sin_port);
}

TEST(HttpsRedirect, PlainRequestsGet308ToTheSameTargetOverHttpsButProbesStayPlain) {
  TemporaryDirectory directory;
  CertificateFiles files =
      make_self_signed_certificate(directory.path().string(), "server", {"localhost"}, {"127.0.0.1"});
  std::uint16_t tls_port = unused_port();
  ServerProcess server(
      {"--tls-port", std::to_string(tls_port), "--https-redirect", "true", "--database-url", "sqlite::memory:"},
      {{"TACHYON_TLS_CERT_FILE", files.certificate}, {"TACHYON_TLS_KEY_FILE", files.private_key}});
  std::optional<HttpResponse> redirected =
      request(server.port(),
              "POST /v1/greetings?lang=en HTTP/1.1\r\nHost: api.example.com:8000\r\n"
              "Content-Length: 0\r\n\r\n");
  ASSERT_TRUE(redirected.has_value());
  EXPECT_EQ(redirected->status, 308);
  EXPECT_EQ(redirected->header("location"),
            "https://api.example.com:" + std::to_string(tls_port) + "/v1/greetings?lang=en");
  std::optional<HttpResponse> absolute =
      request(server.port(), "GET http://elsewhere.example/x?y=1 HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
  ASSERT_TRUE(absolute.has_value());
  EXPECT_EQ(absolute->header("location"), "https://api.example.com:" + std::to_string(tls_port) + "/x?y=1")
      << "path and query of an absolute-form target, never its host";
  EXPECT_EQ(request(server.port(), get_request("/healthz"))->status, 200);
  std::optional<HttpResponse> bad_host = request(server.port(), "GET / HTTP/1.1\r\nHost: evil.example/x@\r\n\r\n");
  ASSERT_TRUE(bad_host.has_value());
  EXPECT_EQ(bad_host->status, 400);
  EXPECT_FALSE(bad_host->has_header("location"));
  std::string output;
  EXPECT_EQ(run_shell("curl -sS -L --cacert " + files.certificate +
                          " http://127.0.0.1:" + std::to_string(server.port()) + "/plaintext",
                      output),
            0)
      << output;
  EXPECT_EQ(output, "Hello, World!") << "curl followed the redirect to HTTPS";
  CommandResult without_tls = run_tachyon({"config", "check"}, {{"TACHYON_HTTPS_REDIRECT", "true"}});
  EXPECT_NE(without_tls.exit_code, 0);
  EXPECT_NE(without_tls.standard_error.find("TACHYON_HTTPS_REDIRECT"), std::string::npos);
}

TEST(HttpsSettings, AKeyWithoutItsCertificateOrOfAnotherCertificateCannotServe) {
  TemporaryDirectory directory;
  CertificateFiles one = make_self_signed_certificate(directory.path().string(), "one", {"localhost"}, {});
  CertificateFiles other = make_self_signed_certificate(directory.path().string(), "other", {"localhost"}, {});
  CommandResult half = run_tachyon({"config", "check"}, {{"TACHYON_TLS_KEY_FILE", one.private_key}});
  EXPECT_NE(half.exit_code, 0);
  EXPECT_NE(half.standard_error.find("TACHYON_TLS_CERT_FILE"), std::string::npos) << half.standard_error;
  CommandResult missing = run_tachyon({"config", "check"}, {{"TACHYON_TLS_CERT_FILE", "/nonexistent/server.crt"},
                                                            {"TACHYON_TLS_KEY_FILE", one.private_key}});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.standard_error.find("is not a readable file"), std::string::npos) << missing.standard_error;
  CommandResult mismatched =
      run_tachyon({"serve", "--port", "0", "--tls-port", "0", "--database-url", "sqlite::memory:"},
                  {{"TACHYON_TLS_CERT_FILE", one.certificate}, {"TACHYON_TLS_KEY_FILE", other.private_key}}, 15s);
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.standard_error.find("does not belong to the certificate"), std::string::npos)
      << mismatched.standard_error;
  std::string key_text;
  run_shell("cat " + other.private_key, key_text);
  EXPECT_EQ(mismatched.standard_error.find(key_text.substr(30, 40)), std::string::npos) << "no key material";
}

}  // namespace
}  // namespace tachyon::testing
