#include <gtest/gtest.h>

#include <map>
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

}  // namespace
