// Certificates and keys reloaded on SIGHUP (issue 13): a keep-alive connection opened before the reload
// keeps answering, new handshakes present the new certificate, a bad new file keeps the old one, and a
// reload in the middle of `tachyon bench` at a fixed rate (keep-alive and one handshake per request)
// fails no request.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/acme_support.hpp"
#include "support/test_certificate.hpp"

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

// The SHA-256 fingerprint of the certificate a fresh handshake on `port` presents.
std::string presented_fingerprint(std::uint16_t port) {
  std::string output;
  run_shell("echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                " 2>/dev/null | openssl x509 -noout -fingerprint -sha256",
            output);
  return output;
}

std::string file_fingerprint(const std::string& certificate) {
  std::string output;
  run_shell("openssl x509 -noout -fingerprint -sha256 -in " + certificate, output);
  return output;
}

// The certificate and key files the server reads, first holding `first`; `replace_with` swaps them.
struct LiveCertificate {
  LiveCertificate(const TemporaryDirectory& directory, const CertificateFiles& first)
      : certificate((directory.path() / "live.crt").string()), key((directory.path() / "live.key").string()) {
    replace_with(first);
  }
  void replace_with(const CertificateFiles& files) const {
    using std::filesystem::copy_options;
    std::filesystem::copy_file(files.certificate, certificate, copy_options::overwrite_existing);
    std::filesystem::copy_file(files.private_key, key, copy_options::overwrite_existing);
  }
  std::map<std::string, std::string> environment() const {
    return {{"TACHYON_TLS_CERT_FILE", certificate}, {"TACHYON_TLS_KEY_FILE", key}};
  }
  std::string certificate;
  std::string key;
};

TEST(HttpsReload, SighupSwapsTheCertificateAndABadFileKeepsTheOldOne) {
  TemporaryDirectory directory;
  CertificateFiles first = make_self_signed_certificate(directory.path().string(), "first", {"localhost"}, {});
  CertificateFiles second = make_self_signed_certificate(directory.path().string(), "second", {"localhost"}, {});
  LiveCertificate live(directory, first);
  ServerProcess server({"--tls-port", "0", "--database-url", "sqlite::memory:"}, live.environment());
  std::uint16_t port = server.wait_for_https_port();
  ASSERT_NE(port, 0);
  ASSERT_EQ(presented_fingerprint(port), file_fingerprint(first.certificate));
  // A keep-alive connection opened before the reload: one request now, one after it (when the marker
  // file appears), on the same TLS session.
  std::filesystem::path marker = directory.path() / "reloaded";
  std::filesystem::path report = directory.path() / "report.txt";
  std::ofstream(directory.path() / "client.py")
      << "import socket, ssl, sys, time, os\n"
         "context = ssl.create_default_context(); context.check_hostname = False\n"
         "context.verify_mode = ssl.CERT_NONE\n"
         "tls = context.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))))\n"
         "def ask():\n"
         "    tls.sendall(b'GET /plaintext HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
         "    data = b''\n"
         "    while not data.endswith(b'Hello, World!'): data += tls.recv(4096)\n"
         "    return data.split(b' ')[1].decode()\n"
         "first = ask()\n"
         "open(sys.argv[3] + '.ready', 'w').close()\n"
         "deadline = time.time() + 20\n"
         "while not os.path.exists(sys.argv[2]) and time.time() < deadline: time.sleep(0.05)\n"
         "with open(sys.argv[3] + '.part', 'w') as out: out.write(first + ' ' + ask())\n"
         "os.rename(sys.argv[3] + '.part', sys.argv[3])\n";
  std::string ignored;
  run_shell("/usr/bin/python3 " + (directory.path() / "client.py").string() + " " + std::to_string(port) + " " +
                marker.string() + " " + report.string() + " > /dev/null 2>&1 &",
            ignored);
  for (int wait = 0; wait < 200 && !std::filesystem::exists(report.string() + ".ready"); ++wait) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(std::filesystem::exists(report.string() + ".ready"));

  live.replace_with(second);
  server.send_signal(SIGHUP);
  server.wait_for_output("TLS certificate reloaded");
  EXPECT_EQ(presented_fingerprint(port), file_fingerprint(second.certificate));
  std::ofstream(marker).close();
  for (int wait = 0; wait < 200 && !std::filesystem::exists(report); ++wait) std::this_thread::sleep_for(50ms);
  std::string statuses;
  run_shell("cat " + report.string(), statuses);
  EXPECT_EQ(statuses, "200 200") << "the connection opened before the reload still answers";

  std::ofstream(live.certificate, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nnot base64\n";
  server.send_signal(SIGHUP);
  std::string log = server.wait_for_output("TLS certificate reload failed");
  EXPECT_NE(log.find("cannot read the certificate chain"), std::string::npos) << log;
  EXPECT_EQ(presented_fingerprint(port), file_fingerprint(second.certificate)) << "the previous one stays";
}

// One `tachyon bench` run's totals, from its --json report.
struct BenchTotals {
  int exit_code = -1;
  std::string output;
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  std::map<std::uint64_t, std::uint64_t> statuses;  // status -> responses
};

BenchTotals run_bench(const std::vector<std::string>& arguments, const std::string& json) {
  std::vector<std::string> command = {"bench"};
  command.insert(command.end(), arguments.begin(), arguments.end());
  command.insert(command.end(), {"--json", json});
  CommandResult result = run_tachyon(command, {}, 30s);
  BenchTotals totals;
  totals.exit_code = result.exit_code;
  totals.output = result.standard_output + result.standard_error;
  if (result.exit_code != 0) return totals;
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(json).value();
  totals.requests = root["requests"].get_uint64().value();
  totals.errors = root["errors"].get_uint64().value();
  simdjson::dom::array statuses = root["statuses"].get_array().value();
  for (simdjson::dom::element status : statuses) {
    totals.statuses[status["status"].get_uint64().value()] = status["requests"].get_uint64().value();
  }
  return totals;
}

// tachyon_connections_accepted_total from the plain port's /metrics (0 when absent).
std::uint64_t connections_accepted(std::uint16_t port) {
  auto response = request(port, get_request("/metrics"));
  if (!response) return 0;
  std::string_view name = "\ntachyon_connections_accepted_total ";
  std::size_t at = response->body.find(name);
  return at == std::string::npos ? 0 : std::stoull(response->body.substr(at + name.size()));
}

TEST(HttpsReload, AReloadDuringFixedRateLoadFailsNoRequestAndNewHandshakesGetTheNewCertificate) {
  TemporaryDirectory directory;
  CertificateFiles first = make_self_signed_certificate(directory.path().string(), "first", {"localhost"}, {});
  CertificateFiles second = make_self_signed_certificate(directory.path().string(), "second", {"localhost"}, {});
  LiveCertificate live(directory, first);
  ServerProcess server({"--tls-port", "0", "--database-url", "sqlite::memory:"}, live.environment());
  std::uint16_t port = server.wait_for_https_port();
  ASSERT_NE(port, 0);
  std::string url = "https://127.0.0.1:" + std::to_string(port) + "/plaintext";
  std::uint64_t accepted_before = connections_accepted(server.port());
  std::string keep_alive_json = (directory.path() / "keep-alive.json").string();
  std::string handshakes_json = (directory.path() / "handshakes.json").string();
  // 3 s at fixed rates: 400 requests/s over 4 kept connections, and 100/s that each make a new
  // connection (the server closes after answering `Connection: close`), so handshakes happen throughout.
  auto keep_alive = std::async(std::launch::async, [&] {
    return run_bench({"-c", "4", "-t", "1", "-R", "400", "-d", "3s", url}, keep_alive_json);
  });
  auto handshakes = std::async(std::launch::async, [&] {
    return run_bench({"-c", "4", "-t", "1", "-R", "100", "-d", "3s", "-H", "Connection: close", url}, handshakes_json);
  });
  std::this_thread::sleep_for(1200ms);
  live.replace_with(second);
  server.send_signal(SIGHUP);
  server.wait_for_output("TLS certificate reloaded");
  EXPECT_EQ(presented_fingerprint(port), file_fingerprint(second.certificate));

  BenchTotals kept = keep_alive.get();
  BenchTotals fresh = handshakes.get();
  for (const BenchTotals* totals : {&kept, &fresh}) {
    ASSERT_EQ(totals->exit_code, 0) << totals->output;
    EXPECT_EQ(totals->errors, 0u) << totals->output;
    EXPECT_EQ(totals->statuses, (std::map<std::uint64_t, std::uint64_t>{{200, totals->requests}})) << totals->output;
  }
  // Most of the scheduled requests were made (1,200 and 300; a slow machine may fall behind), and the
  // second run really did open a connection, so a handshake, for each of its requests.
  EXPECT_GE(kept.requests, 600u) << kept.output;
  EXPECT_GE(fresh.requests, 150u) << fresh.output;
  EXPECT_GE(connections_accepted(server.port()) - accepted_before, fresh.requests);
  EXPECT_EQ(presented_fingerprint(port), file_fingerprint(second.certificate));
}

}  // namespace
}  // namespace tachyon::testing
