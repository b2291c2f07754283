#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "tachyon/loadgen/scenario.hpp"

namespace {

using namespace tachyon::loadgen;

TEST(LoadgenScenarioTemplates, VariablesAreSubstituted) {
  std::map<std::string, std::string> variables = {{"id", "42"}, {"token", "abc"}};
  EXPECT_EQ(expand_template("/items/{{id}}?t={{token}}", variables), "/items/42?t=abc");
  EXPECT_EQ(expand_template("{{missing}}x{{", variables), "x{{");
  EXPECT_EQ(expand_template("plain", variables), "plain");
}

TEST(LoadgenScenarioTemplates, JsonPathExtractsScalars) {
  std::string body = R"({"token":"t-1","data":{"items":[{"id":5},{"id":6}]},"ok":true,"n":1.5})";
  EXPECT_EQ(extract_json_path(body, "$.token"), "t-1");
  EXPECT_EQ(extract_json_path(body, "$.data.items[1].id"), "6");
  EXPECT_EQ(extract_json_path(body, "$.ok"), "true");
  EXPECT_EQ(extract_json_path(body, "$.n"), "1.5");
  EXPECT_FALSE(extract_json_path(body, "$.missing"));
  EXPECT_FALSE(extract_json_path(body, "$.data"));  // objects are not captured
  EXPECT_FALSE(extract_json_path("not json", "$.token"));
}

ScenarioFile parse(const std::string& text, ScenarioFormat format) {
  std::string error;
  auto file = parse_scenario_file(text, format, "", error);
  EXPECT_TRUE(file) << error;
  return file ? *file : ScenarioFile{};
}

// The bytes of the first `count` requests user 0 of 2 sends.
std::string requests_of(const Scenario& scenario, int count) {
  Session session(scenario, 0, 2, 42);
  std::string out;
  for (int index = 0; index < count; ++index) {
    std::size_t endpoint = session.next_request(out);
    out += "<" + std::to_string(endpoint) + ">";
    if (endpoint == 0) session.on_response(endpoint, 200, R"({"token":"t-9"})");
  }
  return out;
}

TEST(LoadgenScenarioFiles, YamlAndJsonOfTheSameScenarioSendTheSameRequests) {
  ScenarioFile json = parse(R"({
    "think_time": "5ms-20ms",
    "flow": [{"name": "login", "method": "POST", "path": "/login", "body": "{\"user\":\"u{{sequence}}\"}",
              "headers": {"Content-Type": "application/json"}, "capture": {"token": "$.token"}}],
    "requests": [
      {"name": "item", "weight": 3, "path": "/items/{{random_int(1,1000)}}", "headers": {"Authorization": "Bearer {{token}}"}},
      {"name": "tag", "weight": 1.5, "path": "/tags/{{random_choice(a,b,c)}}/{{uuid}}", "think_time": "1ms"}
    ]})",
                            ScenarioFormat::json);
  ScenarioFile yaml = parse(R"(
think_time: {min: 5ms, max: 20ms}
flow:
  - name: login
    method: POST
    path: /login
    body: '{"user":"u{{sequence}}"}'
    headers: {Content-Type: application/json}
    capture: {token: $.token}
requests:
  - {name: item, weight: 3, path: '/items/{{random_int(1,1000)}}', headers: {Authorization: 'Bearer {{token}}'}}
  - name: tag
    weight: 1.5
    path: /tags/{{random_choice(a,b,c)}}/{{uuid}}
    think_time: 1ms
)",
                            ScenarioFormat::yaml);
  ASSERT_EQ(json.scenarios.size(), 1u);
  ASSERT_EQ(yaml.scenarios.size(), 1u);
  Scenario& from_json = json.scenarios[0];
  Scenario& from_yaml = yaml.scenarios[0];
  EXPECT_EQ(from_json.endpoint_names(), (std::vector<std::string>{"login", "item", "tag"}));
  EXPECT_EQ(from_yaml.endpoint_names(), from_json.endpoint_names());
  EXPECT_EQ(from_yaml.think_time.minimum, from_json.think_time.minimum);
  EXPECT_EQ(from_yaml.think_time.maximum, std::chrono::milliseconds(20));
  ASSERT_TRUE(from_yaml.endpoints[2].think_time);
  EXPECT_EQ(from_yaml.endpoints[2].think_time->maximum, std::chrono::milliseconds(1));
  from_json.host_header = from_yaml.host_header = "example.test";
  std::string sent = requests_of(from_json, 40);
  EXPECT_EQ(requests_of(from_yaml, 40), sent);
  EXPECT_EQ(sent.rfind("POST /login HTTP/1.1\r\nHost: example.test\r\n", 0), 0u);
  EXPECT_NE(sent.find(R"({"user":"u1"})"), std::string::npos);
  EXPECT_NE(sent.find("Authorization: Bearer t-9\r\n"), std::string::npos);
}

TEST(LoadgenScenarioFiles, NamedScenariosCarryTheirOwnLoad) {
  ScenarioFile file = parse(R"(
scenarios:
  browse: {connections: 4, rate: 200, requests: [{path: /list}]}
  ramp:
    stages: [{duration: 2s, rate: 100}, {duration: 500ms, rate: 0}]
    requests: [{path: /ramp}]
  poll: {think_time: 1s, requests: [{path: /poll}]}
)",
                            ScenarioFormat::yaml);
  ASSERT_TRUE(file.named);
  ASSERT_EQ(file.scenarios.size(), 3u);
  EXPECT_EQ(file.scenarios[0].name, "browse");
  EXPECT_EQ(file.scenarios[0].connections, 4);
  EXPECT_EQ(file.scenarios[0].rate, 200.0);
  ASSERT_EQ(file.scenarios[1].stages.size(), 2u);
  EXPECT_EQ(file.scenarios[1].stages[1].duration, std::chrono::milliseconds(500));
  EXPECT_EQ(file.scenarios[2].connections, 0);  // the command line's -c
  EXPECT_EQ(file.scenarios[2].think_time.minimum, std::chrono::seconds(1));
}

TEST(LoadgenScenarioFiles, InvalidFilesSayWhatIsWrong) {
  std::string error;
  EXPECT_FALSE(parse_scenario_file("requests: [{path: /a, weight: heavy}]", ScenarioFormat::yaml, "", error));
  EXPECT_NE(error.find("weight"), std::string::npos);
  EXPECT_FALSE(parse_scenario_file("requests: [{path: /a, think_time: soon}]", ScenarioFormat::yaml, "", error));
  EXPECT_NE(error.find("think_time"), std::string::npos);
  EXPECT_FALSE(
      parse_scenario_file("scenarios: {a: {rate: -1, requests: [{path: /a}]}}", ScenarioFormat::yaml, "", error));
  EXPECT_NE(error.find("scenario \"a\""), std::string::npos);
  EXPECT_FALSE(parse_scenario_file("requests: [{path: /a}", ScenarioFormat::yaml, "", error));
  EXPECT_NE(error.find("YAML"), std::string::npos);
  EXPECT_FALSE(parse_scenario_file("{\"requests\": []}", ScenarioFormat::json, "", error));
  EXPECT_NE(error.find("at least one"), std::string::npos);
  EXPECT_FALSE(
      parse_scenario_file("{\"connections\": 3, \"requests\": [{\"path\": \"/\"}]}", ScenarioFormat::json, "", error));
  EXPECT_NE(error.find("connections"), std::string::npos);  // only named scenarios carry their own load
}

TEST(LoadgenScenarioFiles, ThinkTimesAreFixedOrRanges) {
  EXPECT_EQ(parse_think_time("10ms")->minimum, std::chrono::milliseconds(10));
  EXPECT_EQ(parse_think_time("10ms")->maximum, std::chrono::milliseconds(10));
  EXPECT_EQ(parse_think_time("5ms-1s")->maximum, std::chrono::seconds(1));
  EXPECT_FALSE(parse_think_time("20ms-5ms"));
  EXPECT_FALSE(parse_think_time("fast"));
}

TEST(LoadgenGenerators, RandomIntStaysInItsInclusiveRangeAndReachesBothEnds) {
  ValueGenerator generator(7);
  std::set<std::int64_t> seen;
  for (int draw = 0; draw < 2000; ++draw) {
    std::int64_t value = std::stoll(*generator.generate("random_int(-2, 3)"));
    ASSERT_GE(value, -2);
    ASSERT_LE(value, 3);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_FALSE(generator.generate("random_int(5,1)"));
  EXPECT_FALSE(generator.generate("random_int(a,b)"));
}

TEST(LoadgenGenerators, RandomChoicePicksOnlyListedValues) {
  ValueGenerator generator(7);
  std::set<std::string> seen;
  for (int draw = 0; draw < 300; ++draw) seen.insert(*generator.generate("random_choice(red, green,blue )"));
  EXPECT_EQ(seen, (std::set<std::string>{"red", "green", "blue"}));
}

TEST(LoadgenGenerators, SequencesOfDifferentUsersNeverCollide) {
  std::set<std::string> seen;
  for (std::uint64_t user = 0; user < 3; ++user) {
    ValueGenerator generator(user, user + 1, 3);
    for (int draw = 0; draw < 100; ++draw) EXPECT_TRUE(seen.insert(*generator.generate("sequence")).second);
  }
  EXPECT_EQ(seen.size(), 300u);
  EXPECT_TRUE(seen.count("1") && seen.count("300"));
}

// 8-4-4-4-12 lower-case hex digits, version nibble 4, variant bits 10 (RFC 9562 section 5.4).
// (No std::regex: GCC 12 warns inside <regex> in the sanitizer build.)
bool is_version_four_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t index = 0; index < text.size(); ++index) {
    char character = text[index];
    bool dash_position = index == 8 || index == 13 || index == 18 || index == 23;
    bool hex = (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f');
    if (dash_position ? character != '-' : !hex) return false;
  }
  return text[14] == '4' && std::string_view("89ab").find(text[19]) != std::string_view::npos;
}

TEST(LoadgenGenerators, UuidsAreRandomVersionFour) {
  ValueGenerator generator(7);
  std::set<std::string> seen;
  for (int draw = 0; draw < 100; ++draw) {
    std::string uuid = *generator.generate("uuid");
    EXPECT_TRUE(is_version_four_uuid(uuid)) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_FALSE(is_version_four_uuid("00000000-0000-1000-8000-000000000000"));  // the check can fail
}

TEST(LoadgenGenerators, TemplatesPreferVariablesAndLeaveUnknownNamesEmpty) {
  ValueGenerator generator(7);
  std::map<std::string, std::string> variables = {{"sequence", "mine"}};
  EXPECT_EQ(expand_template("{{sequence}}/{{nothing(1)}}/{{random_int(4,4)}}", variables, &generator), "mine//4");
  EXPECT_EQ(expand_template("{{random_int(4,4)}}", variables), "");  // no generator given
}

}  // namespace
