// POST /v1/predict over HTTP: one flower of each species answers its species with a probability per
// species; every invalid measurement is reported at once (422); malformed JSON is 400 and a body that is
// not JSON is 415; the route is in the OpenAPI document.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

class AcmePredict : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server = new AcmeServer(); }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  static HttpResponse predict(std::string_view body, std::string_view extra_headers = "") {
    return server->call("POST", "/v1/predict", body, extra_headers);
  }
  static AcmeServer* server;
};
AcmeServer* AcmePredict::server = nullptr;

std::string features(std::string_view sepal_length, std::string_view sepal_width, std::string_view petal_length,
                     std::string_view petal_width) {
  return R"({"sepal_length":)" + std::string(sepal_length) + R"(,"sepal_width":)" + std::string(sepal_width) +
         R"(,"petal_length":)" + std::string(petal_length) + R"(,"petal_width":)" + std::string(petal_width) + "}";
}

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

// The message the 422 gives for `field`, or "" when it does not name it.
std::string message_for(const HttpResponse& response, std::string_view field) {
  Json problem(response.body);
  simdjson::dom::array errors = problem["errors"].get_array().value();
  for (simdjson::dom::element entry : errors) {
    if (std::string_view(entry["field"].get_string().value()) == field) {
      return std::string(std::string_view(entry["message"].get_string().value()));
    }
  }
  return "";
}

TEST_F(AcmePredict, OneFlowerOfEachSpeciesIsPredictedAsItsSpecies) {
  struct Case {
    std::string body;
    std::string species;
  };
  // Rows 1, 51 and 101 of the data set, plus a setosa that is not in it.
  const std::vector<Case> cases{{features("5.1", "3.5", "1.4", "0.2"), "setosa"},
                                {features("7.0", "3.2", "4.7", "1.4"), "versicolor"},
                                {features("6.3", "3.3", "6.0", "2.5"), "virginica"},
                                {features("4.8", "3.3", "1.2", "0.3"), "setosa"}};
  for (const Case& test_case : cases) {
    HttpResponse response = predict(test_case.body);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("content-type"), "application/json");
    Json prediction(response.body);
    EXPECT_EQ(std::string_view(prediction["species"].get_string().value()), test_case.species) << response.body;
    double sum = 0;
    double highest = 0;
    for (std::string_view species : {"setosa", "versicolor", "virginica"}) {
      const double probability = prediction["probabilities"][species].get_double().value();
      sum += probability;
      highest = std::max(highest, probability);
    }
    EXPECT_NEAR(sum, 1.0, 1e-9) << response.body;
    EXPECT_EQ(prediction["probabilities"][test_case.species].get_double().value(), highest) << response.body;
    EXPECT_TRUE(std::string_view(prediction["model_version"].get_string().value()).starts_with("rf-100-"));
  }
}

TEST_F(AcmePredict, TheSameFeaturesWrittenDifferentlyGetTheSameAnswer) {
  HttpResponse plain = predict(features("6.1", "2.8", "4.7", "1.2"));
  HttpResponse respelled =
      predict(R"({"petal_width":1.20,"petal_length":47e-1,"sepal_width":2.8,"sepal_length":6.10})");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(respelled.body, plain.body);
}

TEST_F(AcmePredict, MissingAndUnknownFieldsAreAllReported) {
  HttpResponse response = predict(R"({"sepal_length":5.1,"petal_length":1.4,"colour":"blue"})");
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
  EXPECT_EQ(sorted(failing_fields(response)), (std::vector<std::string>{"colour", "petal_width", "sepal_width"}));
  EXPECT_EQ(message_for(response, "colour"), "unknown field");
  EXPECT_EQ(message_for(response, "sepal_width"), "is required");
}

TEST_F(AcmePredict, ZeroNegativeAndTooLargeMeasurementsAreAllReported) {
  HttpResponse response = predict(features("0", "-1.5", "100", "250.5"));
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(sorted(failing_fields(response)),
            (std::vector<std::string>{"petal_length", "petal_width", "sepal_length", "sepal_width"}));
  EXPECT_EQ(message_for(response, "sepal_length"), "must be > 0");
  EXPECT_EQ(message_for(response, "sepal_width"), "must be > 0");
  EXPECT_EQ(message_for(response, "petal_length"), "must be < 100");
  EXPECT_EQ(message_for(response, "petal_width"), "must be < 100");
  // Just inside the bounds is accepted.
  EXPECT_EQ(predict(features("0.001", "99.999", "1e-3", "99.99")).status, 200);
}

TEST_F(AcmePredict, NonNumbersAndNullsAreReported) {
  HttpResponse response =
      predict(R"({"sepal_length":"5.1","sepal_width":true,"petal_length":null,"petal_width":[0.2]})");
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(sorted(failing_fields(response)),
            (std::vector<std::string>{"petal_length", "petal_width", "sepal_length", "sepal_width"}));
  EXPECT_EQ(message_for(response, "sepal_length"), "must be a number");
  EXPECT_EQ(message_for(response, "petal_width"), "must be a number");
  EXPECT_EQ(message_for(response, "petal_length"), "is required");
}

TEST_F(AcmePredict, ABodyThatIsNotAnObjectIs422) {
  HttpResponse response = predict("[5.1, 3.5, 1.4, 0.2]");
  ASSERT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(failing_fields(response), (std::vector<std::string>{""}));
}

TEST_F(AcmePredict, MalformedJsonIs400) {
  HttpResponse response = predict(R"({"sepal_length": 5.1,)");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(response.header("content-type"), "application/problem+json");
}

TEST_F(AcmePredict, AWrongContentTypeIs415) {
  HttpResponse response = predict(features("5.1", "3.5", "1.4", "0.2"), "Content-Type: text/plain\r\n");
  EXPECT_EQ(response.status, 415) << response.body;
}

TEST_F(AcmePredict, OnlyPostIsAllowed) {
  HttpResponse response = server->call("GET", "/v1/predict");
  EXPECT_EQ(response.status, 405);
  EXPECT_NE(response.header("allow").find("POST"), std::string::npos) << response.header("allow");
}

TEST_F(AcmePredict, TheOpenApiDocumentDescribesTheRequestBody) {
  HttpResponse response = server->call("GET", "/openapi.json");
  ASSERT_EQ(response.status, 200);
  Json document(response.body);
  simdjson::dom::element operation = document["paths"]["/v1/predict"]["post"];
  EXPECT_EQ(std::string_view(operation["operationId"].get_string().value()), "predict");
  EXPECT_EQ(std::string_view(operation["tags"].get_array().value().at(0).get_string().value()), "predictions");
  simdjson::dom::element schema = operation["requestBody"]["content"]["application/json"]["schema"];
  EXPECT_EQ(schema["properties"]["petal_width"]["exclusiveMinimum"].get_double().value(), 0.0);
  EXPECT_EQ(schema["properties"]["petal_width"]["exclusiveMaximum"].get_double().value(), 100.0);
  EXPECT_EQ(schema["required"].get_array().size(), 4U);
  EXPECT_EQ(operation["responses"]["200"]["content"]["application/json"]["schema"]["title"].get_string().value(),
            "Prediction");
}

}  // namespace
}  // namespace tachyon::testing
