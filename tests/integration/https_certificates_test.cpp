// The HTTPS listener's certificates with real clients (openssl s_client, curl) and a real `openssl ca`
// and `openssl ocsp`: SNI picks among several certificates (exact names, one-label wildcards, the first
// as default); OCSP responses are stapled for the certificate they answer for, and one that is revoked,
// for no served certificate, or not DER cannot start; session tickets resume, survive a SIGHUP, and are
// encrypted under a key that rotates (TACHYON_TLS_TICKET_KEY_LIFETIME).
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <thread>

#include "support/acme_support.hpp"
#include "support/test_certificate.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

// A server CA and three certificates it issues, each with its chain file (leaf, then the CA):
// alpha (alpha.test), wild (*.beta.test) and revoked (gamma.test, revoked in the CA's index); then an
// OCSP response for each from `openssl ocsp` acting as the CA's responder.
std::string make_server_pki() {
  return openssl_ca_script("Test Server CA", "serverAuth") + R"(
ADDEXT='-addext subjectAltName=DNS:alpha.test' issue alpha alpha
ADDEXT='-addext subjectAltName=DNS:*.beta.test' issue wild wild
ADDEXT='-addext subjectAltName=DNS:gamma.test' issue revoked revoked
for name in alpha wild revoked; do cat $name.crt ca.crt > $name.chain; done
openssl ca -config ca.cnf -revoke revoked.crt 2>/dev/null
respond() { openssl ocsp -issuer ca.crt -cert $1.crt -no_nonce -reqout $1.req 2>/dev/null;
            openssl ocsp -index ca/index.txt -rsigner ca.crt -rkey ca.key -CA ca.crt -reqin $1.req \
                         -respout $1.ocsp -ndays 1 2>/dev/null; }
respond alpha; respond wild; respond revoked
)";
}

class HttpsCertificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new TemporaryDirectory();
    std::ofstream(directory->path() / "pki.sh") << make_server_pki();
    std::string output;
    ASSERT_EQ(run_shell("cd " + directory->path().string() + " && sh pki.sh", output), 0) << output;
    server = new ServerProcess({"--tls-port", "0", "--database-url", "sqlite::memory:"},
                               {{"TACHYON_TLS_CERT_FILE", file("alpha.chain") + "," + file("wild.chain")},
                                {"TACHYON_TLS_KEY_FILE", file("alpha.key") + "," + file("wild.key")},
                                {"TACHYON_TLS_OCSP_FILE", file("wild.ocsp") + "," + file("alpha.ocsp")}});
    port = server->wait_for_https_port();
  }
  static void TearDownTestSuite() {
    delete server;
    delete directory;
  }
  static std::string file(const std::string& name) { return (directory->path() / name).string(); }
  // `openssl s_client` against `to` with `options`; its whole output.
  static std::string s_client(std::uint16_t to, const std::string& options) {
    std::string output;
    run_shell("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(to) + " " + options + " 2>&1",
              output);
    return output;
  }
  // The subject's CN of the certificate presented for `options` (e.g. `-servername alpha.test`).
  static std::string presented(const std::string& options) {
    std::string output = s_client(port, options);
    constexpr std::string_view marker = "subject=CN = ";
    std::size_t at = output.find(marker);
    if (at == std::string::npos) return "(none: " + output + ")";
    std::size_t start = at + marker.size();
    std::size_t end = output.find_first_not_of("abcdefghijklmnopqrstuvwxyz", start);
    return output.substr(start, end - start);
  }

  static TemporaryDirectory* directory;
  static ServerProcess* server;
  static std::uint16_t port;
};
TemporaryDirectory* HttpsCertificates::directory = nullptr;
ServerProcess* HttpsCertificates::server = nullptr;
std::uint16_t HttpsCertificates::port = 0;

TEST_F(HttpsCertificates, SniChoosesTheCertificateThatNamesTheHostAndTheFirstOtherwise) {
  EXPECT_EQ(presented("-servername alpha.test"), "alpha");
  EXPECT_EQ(presented("-servername ALPHA.test"), "alpha") << "names compare case-insensitively";
  EXPECT_EQ(presented("-servername api.beta.test"), "wild");
  EXPECT_EQ(presented("-servername beta.test"), "alpha") << "a wildcard does not cover its parent";
  EXPECT_EQ(presented("-servername a.b.beta.test"), "alpha") << "a wildcard stands for one label";
  EXPECT_EQ(presented("-servername unknown.example"), "alpha");
  EXPECT_EQ(presented("-noservername"), "alpha");
  // curl checks the chain and the name it asked for.
  std::string output;
  EXPECT_EQ(run_shell("curl -sS --cacert " + file("ca.crt") + " --resolve api.beta.test:" + std::to_string(port) +
                          ":127.0.0.1 https://api.beta.test:" + std::to_string(port) + "/healthz",
                      output),
            0)
      << output;
  EXPECT_NE(output.find("\"status\""), std::string::npos) << output;
}

TEST_F(HttpsCertificates, EachCertificateGetsItsOwnOcspResponseStapled) {
  // alpha was issued first (serial 1000), wild second (1001); the files were given in the other order.
  std::string alpha = s_client(port, "-status -servername alpha.test");
  EXPECT_NE(alpha.find("OCSP Response Status: successful"), std::string::npos) << alpha;
  EXPECT_NE(alpha.find("Cert Status: good"), std::string::npos) << alpha;
  EXPECT_NE(alpha.find("Serial Number: 1000"), std::string::npos) << alpha;
  std::string wild = s_client(port, "-status -servername api.beta.test");
  EXPECT_NE(wild.find("Serial Number: 1001"), std::string::npos) << wild;
  EXPECT_EQ(s_client(port, "-servername alpha.test").find("OCSP Response Status"), std::string::npos)
      << "stapled only when the client asks";
}

TEST_F(HttpsCertificates, AnOcspResponseThatCannotBeStapledCannotStart) {
  struct Case {
    std::string certificate, key, response, reason;
  };
  std::ofstream(file("garbage.ocsp")) << "not an OCSP response";
  for (const Case& bad : {Case{"revoked.chain", "revoked.key", "revoked.ocsp", "is revoked"},
                          Case{"alpha.chain", "alpha.key", "wild.ocsp", "answers for none of the certificates"},
                          Case{"alpha.chain", "alpha.key", "garbage.ocsp", "is not DER"}}) {
    CommandResult result = run_tachyon({"serve", "--port", "0", "--tls-port", "0", "--database-url", "sqlite::memory:"},
                                       {{"TACHYON_TLS_CERT_FILE", file(bad.certificate)},
                                        {"TACHYON_TLS_KEY_FILE", file(bad.key)},
                                        {"TACHYON_TLS_OCSP_FILE", file(bad.response)}},
                                       15s);
    EXPECT_EQ(result.exit_code, 1) << bad.response;
    EXPECT_NE(result.standard_error.find(bad.reason), std::string::npos) << result.standard_error;
  }
  CommandResult without_https = run_tachyon({"config", "check"}, {{"TACHYON_TLS_OCSP_FILE", file("alpha.ocsp")}});
  EXPECT_EQ(without_https.exit_code, 2);
  EXPECT_NE(without_https.standard_error.find("TACHYON_TLS_OCSP_FILE"), std::string::npos);
  CommandResult uneven =
      run_tachyon({"config", "check"}, {{"TACHYON_TLS_CERT_FILE", file("alpha.chain")},
                                        {"TACHYON_TLS_KEY_FILE", file("alpha.key") + "," + file("wild.key")}});
  EXPECT_EQ(uneven.exit_code, 2);
  EXPECT_NE(uneven.standard_error.find("names 1 file(s) while its pair names 2"), std::string::npos)
      << uneven.standard_error;
}

// The key name a saved session's ticket was encrypted under: the ticket's first 16 bytes.
std::string ticket_key_name(const std::string& session_file) {
  std::string output;
  run_shell("openssl sess_id -in " + session_file + " -noout -text", output);
  // "TLS session ticket:\n    0000 - cd cd fd 4a ...-... 04 cb   ...JD+....": the 16 hex bytes.
  std::size_t ticket = output.find("TLS session ticket:");
  std::size_t first_line = ticket == std::string::npos ? ticket : output.find("0000 - ", ticket);
  if (first_line == std::string::npos || output.size() < first_line + 7 + 47) return "(no ticket: " + output + ")";
  return output.substr(first_line + 7, 47);
}

TEST(HttpsTickets, TicketsResumeSurviveAReloadAndTheirKeyRotates) {
  TemporaryDirectory directory;
  std::ofstream(directory.path() / "pki.sh") << make_server_pki();
  std::string output;
  ASSERT_EQ(run_shell("cd " + directory.path().string() + " && sh pki.sh", output), 0) << output;
  auto file = [&](const std::string& name) { return (directory.path() / name).string(); };
  // A lifetime long enough that the first sessions all fall under the first key.
  constexpr auto lifetime = 5s;
  ServerProcess server({"--tls-port", "0", "--database-url", "sqlite::memory:"},
                       {{"TACHYON_TLS_CERT_FILE", file("alpha.chain")},
                        {"TACHYON_TLS_KEY_FILE", file("alpha.key")},
                        {"TACHYON_TLS_TICKET_KEY_LIFETIME", "5s"}});
  auto started = std::chrono::steady_clock::now();
  std::uint16_t port = server.wait_for_https_port();
  auto connect = [&](const std::string& options) {
    std::string printed;
    run_shell(
        "printf 'GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n' | timeout 10 openssl "
        "s_client -tls1_3 -ign_eof -connect 127.0.0.1:" +
            std::to_string(port) + " " + options + " 2>&1",
        printed);
    return printed;
  };
  std::string first = connect("-sess_out " + file("first.pem"));
  ASSERT_NE(first.find("New, TLSv1.3"), std::string::npos) << first;
  connect("-sess_out " + file("second.pem"));
  EXPECT_EQ(ticket_key_name(file("first.pem")), ticket_key_name(file("second.pem")));
  EXPECT_NE(connect("-sess_in " + file("first.pem")).find("Reused, TLSv1.3"), std::string::npos);

  server.send_signal(SIGHUP);
  server.wait_for_output("TLS certificate reloaded");
  EXPECT_NE(connect("-sess_in " + file("second.pem")).find("Reused, TLSv1.3"), std::string::npos)
      << "a reload keeps the ticket keys (no mutual TLS)";

  std::this_thread::sleep_until(started + lifetime + 500ms);
  std::string later = connect("-sess_out " + file("later.pem"));
  ASSERT_NE(later.find("New, TLSv1.3"), std::string::npos) << later;
  EXPECT_NE(ticket_key_name(file("later.pem")), ticket_key_name(file("first.pem"))) << "a fresh key after a lifetime";
  EXPECT_EQ(ticket_key_name(file("later.pem")).size(), ticket_key_name(file("first.pem")).size());
}

TEST(HttpsTickets, ALifetimeOfZeroSendsNoTickets) {
  TemporaryDirectory directory;
  std::ofstream(directory.path() / "pki.sh") << make_server_pki();
  std::string output;
  ASSERT_EQ(run_shell("cd " + directory.path().string() + " && sh pki.sh", output), 0) << output;
  ServerProcess server({"--tls-port", "0", "--database-url", "sqlite::memory:"},
                       {{"TACHYON_TLS_CERT_FILE", (directory.path() / "alpha.chain").string()},
                        {"TACHYON_TLS_KEY_FILE", (directory.path() / "alpha.key").string()},
                        {"TACHYON_TLS_TICKET_KEY_LIFETIME", "0"}});
  std::uint16_t port = server.wait_for_https_port();
  std::string session = (directory.path() / "session.pem").string();
  run_shell("echo | timeout 10 openssl s_client -tls1_2 -connect 127.0.0.1:" + std::to_string(port) + " -sess_out " +
                session + " 2>&1",
            output);
  EXPECT_NE(ticket_key_name(session).find("no ticket"), std::string::npos);
  std::string resumed;
  run_shell("echo | timeout 10 openssl s_client -tls1_2 -connect 127.0.0.1:" + std::to_string(port) + " -sess_in " +
                session + " 2>&1",
            resumed);
  EXPECT_NE(resumed.find("Reused, TLSv1.2"), std::string::npos) << "the session cache still resumes: " << resumed;
}

}  // namespace
}  // namespace tachyon::testing
