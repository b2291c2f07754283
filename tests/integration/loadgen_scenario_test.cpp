// `tachyon bench --scenario`: a login flow whose token is captured and reused, CSV-fed templates
// and per-endpoint figures, against a ground-truth server that checks the token.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "support/loadgen_ground_truth_server.hpp"
#include "support/test_server.hpp"

namespace {

using namespace tachyon::testing;
using namespace std::chrono_literals;

std::string temporary_path(const std::string& name) {
  return "/tmp/tachyon_loadgen_scenario_" + std::to_string(::getpid()) + "_" + name;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(LoadgenScenario, LoginFlowCapturesTheTokenAndLaterRequestsUseIt) {
  GroundTruthServer server({.login = true});
  std::string csv = temporary_path("users.csv");
  std::string scenario = temporary_path("scenario.json");
  std::string json = temporary_path("summary.json");
  write_text(csv, "user,item\nalice,7\nbob,8\ncarol,9\n");
  write_text(scenario, R"({
    "csv": ")" + csv + R"(",
    "flow": [
      {"name": "login", "method": "POST", "path": "/login",
       "headers": {"Content-Type": "application/json"},
       "body": "{\"user\":\"{{user}}\"}", "capture": {"token": "$.token"}}
    ],
    "requests": [
      {"name": "item", "weight": 3, "path": "/items/{{item}}", "headers": {"Authorization": "Bearer {{token}}"}},
      {"name": "profile", "weight": 1, "path": "/me", "headers": {"Authorization": "Bearer {{token}}"}}
    ]
  })");
  CommandResult result = run_tachyon({"bench", "-c", "3", "-t", "1", "-d", "500ms", "--scenario", scenario, "--json",
                                      json, "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  EXPECT_NE(result.standard_output.find("per endpoint"), std::string::npos);
  // Each of the 3 virtual users logged in once, as its own CSV row, and never sent a request
  // without the captured token.
  EXPECT_EQ(server.logged_in_users(), (std::set<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(server.unauthorized(), 0u);
  EXPECT_EQ(server.authorized_paths(), (std::set<std::string>{"/items/7", "/items/8", "/items/9", "/me"}));

  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(json).value();
  simdjson::dom::array endpoints = root["endpoints"].get_array().value();
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(std::string_view(endpoints.at(0)["name"].get_string().value()), "login");
  EXPECT_EQ(endpoints.at(0)["requests"].get_uint64().value(), 3u);
  std::uint64_t items = endpoints.at(1)["requests"].get_uint64().value();
  std::uint64_t profiles = endpoints.at(2)["requests"].get_uint64().value();
  EXPECT_GT(items, profiles);  // weights 3:1 over hundreds of requests
  EXPECT_EQ(3 + items + profiles, root["requests"].get_uint64().value());
  EXPECT_EQ(root["errors"].get_uint64().value(), 0u);
  for (const auto& path : {csv, scenario, json}) std::remove(path.c_str());
}

TEST(LoadgenScenario, YamlLoginFlowCapturesTheTokenLikeTheJsonOne) {
  GroundTruthServer server({.login = true});
  std::string csv = temporary_path("yaml_users.csv");
  std::string scenario = temporary_path("scenario.yaml");
  write_text(csv, "user,item\nalice,7\nbob,8\n");
  write_text(scenario, "csv: " + csv + R"(
flow:
  - name: login
    method: POST
    path: /login
    headers: {Content-Type: application/json}
    body: '{"user":"{{user}}"}'
    capture: {token: $.token}
requests:
  - name: item
    path: /items/{{item}}
    headers:
      Authorization: Bearer {{token}}
)");
  CommandResult result = run_tachyon({"bench", "-c", "2", "-t", "1", "-d", "300ms", "--scenario", scenario,
                                      "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  EXPECT_EQ(server.logged_in_users(), (std::set<std::string>{"alice", "bob"}));
  EXPECT_EQ(server.unauthorized(), 0u);
  EXPECT_EQ(server.authorized_paths(), (std::set<std::string>{"/items/7", "/items/8"}));
  for (const auto& path : {csv, scenario}) std::remove(path.c_str());
}

std::uint64_t requests_in(const std::string& json_path) {
  simdjson::dom::parser parser;
  return parser.load(json_path).value()["requests"].get_uint64().value();
}

TEST(LoadgenScenario, ThinkTimeLowersTheRequestRate) {
  GroundTruthServer server({});
  std::string json = temporary_path("think.json");
  std::string target = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  // 4 connections each pausing 50 ms after every answer for 1 s: at most 4 * (1 + 20) requests,
  // whatever the machine's speed; without the pause the same run makes far more.
  CommandResult result =
      run_tachyon({"bench", "-c", "4", "-t", "1", "-d", "1s", "--think-time", "50ms", "--json", json, target});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  std::uint64_t paced = requests_in(json);
  EXPECT_LE(paced, 84u);
  EXPECT_GE(paced, 20u);
  // A random range 20-60 ms per step from the scenario file: at most 4 * (1 + 1000 / 20).
  std::string scenario = temporary_path("think.yaml");
  write_text(scenario, "requests:\n  - {path: /a, think_time: 20ms-60ms}\n");
  result = run_tachyon({"bench", "-c", "4", "-t", "1", "-d", "1s", "--scenario", scenario, "--json", json, target});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  std::uint64_t ranged = requests_in(json);
  EXPECT_LE(ranged, 204u);
  EXPECT_GE(ranged, 20u);
  result = run_tachyon({"bench", "-c", "4", "-t", "1", "-d", "1s", "--json", json, target});
  ASSERT_EQ(result.exit_code, 0) << result.standard_error;
  EXPECT_GT(requests_in(json), 4 * ranged);
  for (const auto& path : {json, scenario}) std::remove(path.c_str());
}

TEST(LoadgenScenario, NamedScenariosRunSideBySideEachAtItsOwnRate) {
  GroundTruthServer server({});
  std::string scenario = temporary_path("named.yaml");
  std::string json = temporary_path("named.json");
  write_text(scenario, R"(scenarios:
  browse:
    connections: 2
    rate: 300
    requests: [{name: list, path: /list}]
  checkout:
    connections: 1
    rate: 50
    requests: [{name: pay, method: POST, path: /pay, body: 'order={{uuid}}'}]
  poll:
    connections: 1
    think_time: 100ms
    requests: [{name: status, path: /status}]
)");
  CommandResult result = run_tachyon({"bench", "-t", "2", "-d", "1s", "--scenario", scenario, "--json", json,
                                      "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_EQ(result.exit_code, 0) << result.standard_output << result.standard_error;
  EXPECT_NE(result.standard_output.find("per scenario"), std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(json).value();
  std::map<std::string, std::uint64_t> requests;
  simdjson::dom::array groups = root["scenarios"].get_array().value();  // named: it outlives the loop
  for (simdjson::dom::element group : groups) {
    requests[std::string(group["name"].get_string().value())] = group["requests"].get_uint64().value();
  }
  ASSERT_EQ(requests.size(), 3u);
  // An open-model group sends exactly what falls due (one per thread may round either way), so
  // the upper bounds hold on any machine; the lower bounds are generous.
  EXPECT_LE(requests["browse"], 302u);
  EXPECT_GE(requests["browse"], 150u);
  EXPECT_LE(requests["checkout"], 51u);
  EXPECT_GE(requests["checkout"], 25u);
  EXPECT_LE(requests["poll"], 11u);  // 1 connection, 100 ms pause after each answer
  EXPECT_GE(requests["poll"], 3u);
  EXPECT_EQ(requests["browse"] + requests["checkout"] + requests["poll"], root["requests"].get_uint64().value());
  EXPECT_EQ(root["requests"].get_uint64().value(), server.responses());
  simdjson::dom::array endpoints = root["endpoints"].get_array().value();
  ASSERT_EQ(endpoints.size(), 3u);
  EXPECT_EQ(std::string_view(endpoints.at(1)["name"].get_string().value()), "checkout/pay");
  EXPECT_EQ(endpoints.at(1)["requests"].get_uint64().value(), requests["checkout"]);
  for (const auto& path : {scenario, json}) std::remove(path.c_str());
}

TEST(LoadgenScenario, InvalidScenarioIsAUsageError) {
  std::string scenario = temporary_path("bad.json");
  write_text(scenario, R"({"requests": [{"path": "no-slash"}]})");
  CommandResult result = run_tachyon({"bench", "-d", "100ms", "--scenario", scenario, "http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("paths must start with /"), std::string::npos);
  // Named scenarios bring their own rates: a command-line rate would be ambiguous.
  write_text(scenario, R"({"scenarios": {"a": {"rate": 10, "requests": [{"path": "/"}]}}})");
  result = run_tachyon({"bench", "-d", "100ms", "--rate", "5", "--scenario", scenario, "http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("named scenarios"), std::string::npos);
  std::remove(scenario.c_str());
}

}  // namespace
