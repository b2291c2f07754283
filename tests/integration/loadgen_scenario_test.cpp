// `tachyon bench --scenario`: a login flow whose token is captured and reused, CSV-fed templates
// and per-endpoint figures, against a ground-truth server that checks the token.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "support/loadgen_ground_truth_server.hpp"
#include "support/test_server.hpp"

namespace {

using namespace tachyon::testing;
using namespace std::chrono_literals;

std::string temporary_path(const std::string& name) {
  return "/tmp/tachyon_loadgen_scenario_" + std::to_string(::getpid()) + "_" + name;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

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
  CommandResult result = run_tachyon(
      {"bench", "-c", "3", "-t", "1", "-d", "500ms", "--scenario", scenario, "--json", json,
       "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
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

TEST(LoadgenScenario, InvalidScenarioIsAUsageError) {
  std::string scenario = temporary_path("bad.json");
  write_text(scenario, R"({"requests": [{"path": "no-slash"}]})");
  CommandResult result = run_tachyon({"bench", "-d", "100ms", "--scenario", scenario, "http://127.0.0.1:1/"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.standard_error.find("paths must start with /"), std::string::npos);
  std::remove(scenario.c_str());
}

}  // namespace
