// Mutual TLS with real clients (curl) and certificates issued by a real `openssl ca`: a verified client
// certificate is the request's principal (`service:<first DNS SAN, else CN>`, scopes from
// TACHYON_TLS_CLIENT_SCOPES); expired, revoked (CRL) and untrusted certificates fail the handshake;
// a route prefix in TACHYON_TLS_CLIENT_PREFIXES refuses requests without one (403); `required` refuses
// handshakes without one; settings that would silently not apply cannot start.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>

#include "support/acme_support.hpp"
#include "support/test_certificate.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

// A client CA with `openssl ca`, and the certificates the tests present: billing (DNS SAN, granted
// scopes), reporter (CN only, not in the table), expired, revoked (in the CRL), and stranger (the same
// name, self-signed: not issued by the CA).
std::string make_client_pki() {
  return openssl_ca_script("Test Client CA", "clientAuth") + R"(
ADDEXT='-addext subjectAltName=DNS:billing.acme.internal' issue billing billing
ADDEXT= issue reporter Reporter
ADDEXT= issue expired expired -startdate 20200101000000Z -enddate 20200102000000Z
ADDEXT= issue revoked revoked
openssl ca -config ca.cnf -revoke revoked.crt 2>/dev/null
openssl ca -config ca.cnf -gencrl -out ca.crl 2>/dev/null
key -x509 -keyout stranger.key -out stranger.crt -days 30 -subj '/CN=billing.acme.internal'
)";
}

class ClientCertificates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory = new TemporaryDirectory();
    std::string output;
    std::ofstream(directory->path() / "pki.sh") << make_client_pki();
    ASSERT_EQ(run_shell("cd " + directory->path().string() + " && sh pki.sh 2>&1", output), 0) << output;
    server_certificate = new CertificateFiles(
        make_self_signed_certificate(directory->path().string(), "server", {"localhost"}, {"127.0.0.1"}));
    server = new AcmeServer(start_flags(), client_auth_environment("optional"), /*demo_data=*/true);
    port = server->process().wait_for_https_port();
  }
  static void TearDownTestSuite() {
    delete server;
    delete server_certificate;
    delete directory;
  }
  static std::vector<std::string> start_flags() { return {"--tls-port", "0", "--header-timeout", "2s"}; }
  static std::map<std::string, std::string> client_auth_environment(const std::string& mode) {
    std::string pki = directory->path().string() + "/";
    return {{"TACHYON_TLS_CERT_FILE", server_certificate->certificate},
            {"TACHYON_TLS_KEY_FILE", server_certificate->private_key},
            {"TACHYON_TLS_CLIENT_AUTH", mode},
            {"TACHYON_TLS_CLIENT_CA_FILE", pki + "ca.crt"},
            {"TACHYON_TLS_CLIENT_CRL_FILE", pki + "ca.crl"},
            {"TACHYON_TLS_CLIENT_PREFIXES", "/v1/orders"},
            {"TACHYON_TLS_CLIENT_SCOPES", "billing.acme.internal=orders:read users:read"}};
  }
  // curl to `path` on `to_port` presenting the client certificate `name` (none when empty): its exit
  // code; `output` gets the status line, headers and body.
  static int curl(std::uint16_t to_port, const std::string& name, const std::string& path, std::string& output,
                  const std::string& extra = "") {
    std::string pki = directory->path().string() + "/";
    std::string identity = name.empty() ? "" : " --cert " + pki + name + ".crt --key " + pki + name + ".key";
    return run_shell("curl -sS -i --max-time 10 --cacert " + server_certificate->certificate + identity + " " + extra +
                         " https://127.0.0.1:" + std::to_string(to_port) + path + " 2>&1",
                     output);
  }

  static TemporaryDirectory* directory;
  static CertificateFiles* server_certificate;
  static AcmeServer* server;
  static std::uint16_t port;
};
TemporaryDirectory* ClientCertificates::directory = nullptr;
CertificateFiles* ClientCertificates::server_certificate = nullptr;
AcmeServer* ClientCertificates::server = nullptr;
std::uint16_t ClientCertificates::port = 0;

TEST_F(ClientCertificates, AVerifiedCertificateIsTheServicePrincipalWithTheTablesScopes) {
  std::string output;
  ASSERT_EQ(curl(port, "billing", "/v1/auth/me", output), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 200"), std::string::npos) << output;
  EXPECT_NE(output.find(R"("sub":"service:billing.acme.internal")"), std::string::npos) << output;
  EXPECT_NE(output.find(R"("kind":"service")"), std::string::npos) << output;
  EXPECT_NE(output.find(R"("scopes":["orders:read","users:read"])"), std::string::npos) << output;
}

TEST_F(ClientCertificates, ATrustedCertificateTheTableDoesNotNameHasNoScopes) {
  std::string output;
  ASSERT_EQ(curl(port, "reporter", "/v1/auth/me", output), 0) << output;
  EXPECT_NE(output.find(R"("sub":"service:reporter")"), std::string::npos) << "the CN, lower-cased: " << output;
  EXPECT_NE(output.find(R"("scopes":[])"), std::string::npos) << output;
  ASSERT_EQ(curl(port, "reporter", "/v1/users", output), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 403"), std::string::npos) << output;
  EXPECT_NE(output.find("missing scope: users:read"), std::string::npos) << output;
}

TEST_F(ClientCertificates, ExpiredRevokedAndUntrustedCertificatesFailTheHandshake) {
  for (const char* name : {"expired", "revoked", "stranger"}) {
    std::string output;
    EXPECT_NE(curl(port, name, "/v1/auth/me", output), 0) << name << ": " << output;
    EXPECT_EQ(output.find("HTTP/1.1"), std::string::npos) << name << " got an answer: " << output;
  }
  std::string output;
  ASSERT_EQ(curl(port, "billing", "/v1/auth/me", output), 0) << "the server keeps serving: " << output;
}

TEST_F(ClientCertificates, APrefixThatNeedsACertificateRefusesRequestsWithoutOneEvenWithAToken) {
  std::string output;
  ASSERT_EQ(curl(port, "", "/v1/orders", output), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 403"), std::string::npos) << output;
  EXPECT_NE(output.find("needs a verified client certificate"), std::string::npos) << output;
  ASSERT_EQ(curl(port, "", "/v1/orders", output, "-H 'X-API-Key: " + server->admin_key() + "'"), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 403"), std::string::npos) << "a key is no client certificate: " << output;
  ASSERT_EQ(curl(port, "billing", "/v1/orders", output), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 200"), std::string::npos) << output;
  ASSERT_EQ(curl(port, "", "/v1/products", output), 0) << output;
  EXPECT_NE(output.find("HTTP/1.1 200"), std::string::npos) << "other routes need no certificate: " << output;
}

TEST_F(ClientCertificates, RequiredModeRefusesHandshakesWithoutACertificate) {
  AcmeServer strict(start_flags(), client_auth_environment("required"));
  std::uint16_t strict_port = strict.process().wait_for_https_port();
  std::string output;
  EXPECT_NE(curl(strict_port, "", "/v1/products", output), 0) << output;
  EXPECT_EQ(output.find("HTTP/1.1"), std::string::npos) << output;
  ASSERT_EQ(curl(strict_port, "billing", "/v1/auth/me", output), 0) << output;
  EXPECT_NE(output.find(R"("sub":"service:billing.acme.internal")"), std::string::npos) << output;
}

// A session resumed after the CRL changed would skip the revocation check: with mutual TLS a reload
// replaces the ticket keys (and the session cache goes with the old context).
TEST_F(ClientCertificates, AReloadEndsResumptionSoANewRevocationCannotBeSidestepped) {
  AcmeServer reloading(start_flags(), client_auth_environment("optional"));
  std::uint16_t reloading_port = reloading.process().wait_for_https_port();
  std::string pki = directory->path().string() + "/";
  auto connect = [&](const std::string& options) {
    std::string printed;
    run_shell(
        "printf 'GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n' | timeout 10 "
        "openssl s_client -tls1_3 -ign_eof -connect 127.0.0.1:" +
            std::to_string(reloading_port) + " -cert " + pki + "billing.crt -key " + pki + "billing.key " + options +
            " 2>&1",
        printed);
    return printed;
  };
  std::string session = pki + "billing-session.pem";
  ASSERT_NE(connect("-sess_out " + session).find("New, TLSv1.3"), std::string::npos);
  EXPECT_NE(connect("-sess_in " + session).find("Reused, TLSv1.3"), std::string::npos);
  reloading.process().send_signal(SIGHUP);
  reloading.process().wait_for_output("TLS certificate reloaded");
  EXPECT_NE(connect("-sess_in " + session).find("New, TLSv1.3"), std::string::npos)
      << "the certificate is verified again after a reload";
}

TEST(ClientCertificateSettings, SettingsThatWouldNotApplyOrNameUnknownScopesCannotStart) {
  CommandResult no_ca = run_tachyon({"config", "check"}, {{"TACHYON_TLS_CLIENT_AUTH", "optional"}});
  EXPECT_NE(no_ca.exit_code, 0);
  EXPECT_NE(no_ca.standard_error.find("TACHYON_TLS_CLIENT_AUTH"), std::string::npos) << no_ca.standard_error;
  CommandResult off = run_tachyon({"config", "check"}, {{"TACHYON_TLS_CLIENT_PREFIXES", "/internal"}});
  EXPECT_NE(off.exit_code, 0);
  EXPECT_NE(off.standard_error.find("TACHYON_TLS_CLIENT_PREFIXES"), std::string::npos) << off.standard_error;
  CommandResult unknown =
      run_tachyon({"config", "check"}, {{"TACHYON_TLS_CLIENT_SCOPES", "billing.acme.internal=orders:read root"}});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.standard_error.find("names scope 'root'"), std::string::npos) << unknown.standard_error;
}

}  // namespace
}  // namespace tachyon::testing
