// `tachyon bench https://...` against a real nginx with a self-signed certificate made at test
// time: TLS with SNI, per-status and per-endpoint figures checked against nginx's own access log.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "support/test_server.hpp"
#include "support/tls_nginx_server.hpp"

namespace {

using namespace tachyon::testing;
using namespace std::chrono_literals;

std::string temporary_path(const std::string& name) {
  return "/tmp/tachyon_loadgen_tls_" + std::to_string(::getpid()) + "_" + name;
}

// nginx writes its log line right after the response; wait (bounded) until `count` lines are there.
std::vector<std::string> log_with(const TlsNginxServer& server, std::uint64_t count) {
  std::vector<std::string> lines = server.access_log();
  for (int attempt = 0; attempt < 100 && lines.size() < count; ++attempt) {
    std::this_thread::sleep_for(20ms);
    lines = server.access_log();
  }
  return lines;
}

TEST(LoadgenTls, HttpsUrlRunsOverTlsAndSendsTheHostNameAsSni) {
  if (!have_program("nginx") || !have_program("openssl")) GTEST_SKIP() << "nginx or openssl not installed";
  TlsNginxServer server;
  std::string json = temporary_path("sni.json");
  CommandResult result = run_tachyon({"bench", "-c", "2", "-t", "2", "-d", "500ms", "--json", json,
                                      "https://localhost:" + std::to_string(server.port()) + "/hello"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(json).value();
  std::uint64_t requests = root["requests"].get_uint64().value();
  EXPECT_GT(requests, 0u);
  EXPECT_EQ(root["errors"].get_uint64().value(), 0u);
  std::vector<std::string> lines = log_with(server, requests);
  // nginx decrypted every request, and each came on a connection whose handshake named localhost.
  EXPECT_EQ(lines.size(), requests);
  for (const std::string& line : lines) ASSERT_EQ(line, "localhost 200 /hello");
  std::remove(json.c_str());
}

TEST(LoadgenTls, IpLiteralHostsSendNoSni) {
  if (!have_program("nginx") || !have_program("openssl")) GTEST_SKIP() << "nginx or openssl not installed";
  TlsNginxServer server;
  CommandResult result = run_tachyon(
      {"bench", "-c", "1", "-t", "1", "-d", "200ms", "https://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  std::vector<std::string> lines = server.access_log();
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) ASSERT_EQ(line, "- 200 /");  // RFC 6066: no IP literals in SNI
}

TEST(LoadgenTls, PerStatusAndPerEndpointCountsMatchWhatTheServerAnswered) {
  if (!have_program("nginx") || !have_program("openssl")) GTEST_SKIP() << "nginx or openssl not installed";
  TlsNginxServer server;
  std::string scenario = temporary_path("statuses.yaml");
  std::string json = temporary_path("statuses.json");
  std::string html = temporary_path("statuses.html");
  std::ofstream(scenario) << "requests:\n"
                             "  - {name: fine, path: /status/200, weight: 3}\n"
                             "  - {name: created, method: POST, path: /status/201, body: 'x={{sequence}}'}\n"
                             "  - {name: missing, path: /status/404}\n"
                             "  - {name: broken, path: /status/503}\n";
  CommandResult result =
      run_tachyon({"bench", "-c", "3", "-t", "1", "-d", "500ms", "--scenario", scenario, "--json", json, "--html", html,
                   "https://localhost:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  EXPECT_NE(result.standard_output.find("per status"), std::string::npos);
  EXPECT_NE(result.standard_output.find("per endpoint"), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(json).value();
  std::uint64_t requests = root["requests"].get_uint64().value();
  std::map<std::string, std::uint64_t> served;  // status -> responses, from nginx's log
  for (const std::string& line : log_with(server, requests)) ++served[line.substr(line.find(' ') + 1, 3)];
  std::map<std::string, std::uint64_t> reported;
  simdjson::dom::array statuses = root["statuses"].get_array().value();  // named: it outlives the loop
  for (simdjson::dom::element status : statuses) {
    reported[std::to_string(status["status"].get_uint64().value())] = status["requests"].get_uint64().value();
    EXPECT_EQ(status["latency"]["count"].get_uint64().value(), status["requests"].get_uint64().value());
  }
  EXPECT_EQ(reported, served);
  EXPECT_EQ(served.size(), 4u);
  // Each endpoint saw only its own status; errors are its 4xx and 5xx answers.
  std::map<std::string, std::string> expected = {
      {"fine", "200"}, {"created", "201"}, {"missing", "404"}, {"broken", "503"}};
  simdjson::dom::array endpoints = root["endpoints"].get_array().value();
  for (simdjson::dom::element endpoint : endpoints) {
    std::string name(endpoint["name"].get_string().value());
    simdjson::dom::object codes = endpoint["status_codes"].get_object().value();
    ASSERT_EQ(codes.size(), 1u) << name;
    std::uint64_t count = codes[expected[name]].get_uint64().value();
    EXPECT_EQ(count, endpoint["requests"].get_uint64().value()) << name;
    EXPECT_EQ(endpoint["errors"].get_uint64().value(), name == "missing" || name == "broken" ? count : 0u) << name;
  }
  // The HTML report has the same tables.
  std::ifstream page_file(html);
  std::string page((std::istreambuf_iterator<char>(page_file)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<h2>Per status</h2>"), std::string::npos);
  for (const auto& [status, count] : served) {
    EXPECT_NE(page.find("<tr><td>" + status + "</td><td>" + std::to_string(count) + "</td>"), std::string::npos)
        << status;
  }
  EXPECT_NE(page.find("<h2>Per endpoint</h2>"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>missing</td><td>" + std::to_string(served["404"]) + "</td>"), std::string::npos);
  for (const auto& path : {scenario, json, html}) std::remove(path.c_str());
}

TEST(LoadgenTls, GeneratedPathParametersStayInRange) {
  if (!have_program("nginx") || !have_program("openssl")) GTEST_SKIP() << "nginx or openssl not installed";
  TlsNginxServer server;
  std::string scenario = temporary_path("generators.json");
  std::ofstream(scenario)
      << R"({"requests": [{"path": "/items/{{random_int(3,7)}}/{{random_choice(red, green)}}?n={{sequence}}"}]})";
  CommandResult result = run_tachyon({"bench", "-c", "3", "-t", "2", "-d", "500ms", "--scenario", scenario,
                                      "https://localhost:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  std::set<std::string> items;
  std::set<std::string> colors;
  std::set<std::string> sequence;
  std::vector<std::string> lines = server.access_log();
  ASSERT_GT(lines.size(), 50u);
  for (const std::string& line : lines) {
    // "localhost 200 /items/5/red?n=12"
    std::string uri = line.substr(line.rfind(' ') + 1);
    ASSERT_EQ(uri.rfind("/items/", 0), 0u) << uri;
    std::size_t slash = uri.find('/', 7);
    std::size_t query = uri.find("?n=");
    items.insert(uri.substr(7, slash - 7));
    colors.insert(uri.substr(slash + 1, query - slash - 1));
    EXPECT_TRUE(sequence.insert(uri.substr(query + 3)).second) << "sequence value repeated: " << uri;
  }
  EXPECT_EQ(items, (std::set<std::string>{"3", "4", "5", "6", "7"}));  // every value in range, and only those
  EXPECT_EQ(colors, (std::set<std::string>{"green", "red"}));
  std::remove(scenario.c_str());
}

}  // namespace
