// The parts of POST /v1/predict that are pure functions: the Iris model and its version, the features
// schema, the rendered body, and the canonical features JSON that cache keys are made from.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "app/acme/iris_data.hpp"
#include "app/acme/iris_model.hpp"
#include "app/acme/predictions.hpp"

namespace tachyon::app::acme {
namespace {

const IrisModel& model() {
  static const IrisModel trained = IrisModel::train_embedded();
  return trained;
}

IrisFeatures parse_features(std::string_view body) {
  json::ParseResult<IrisFeatures> result = iris_features_schema().parse(body);
  if (!result.ok()) throw std::runtime_error("features did not parse: " + std::string(body));
  return *result.value;
}

bool is_lower_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(AcmePredictionsTest, CanonicalJsonIsTheSameForReorderedAndRespelledNumbers) {
  const std::string plain = canonical_features_json(
      parse_features(R"({"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2})"));
  const std::string respelled = canonical_features_json(parse_features(
      R"({ "petal_width" : 0.20, "petal_length": 1.40000, "sepal_width": 35e-1, "sepal_length": 5.10 })"));
  EXPECT_EQ(plain, R"({"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2})");
  EXPECT_EQ(respelled, plain);
  EXPECT_EQ(canonical_features_json(
                parse_features(R"({"sepal_length":5,"sepal_width":3.0,"petal_length":1.4,"petal_width":0.2})")),
            R"({"sepal_length":5,"sepal_width":3,"petal_length":1.4,"petal_width":0.2})");
}

TEST(AcmePredictionsTest, CanonicalJsonDiffersWhenAnyMeasurementDiffers) {
  const IrisFeatures base{5.1, 3.5, 1.4, 0.2};
  IrisFeatures other = base;
  other.petal_width = 0.2000000001;
  EXPECT_NE(canonical_features_json(base), canonical_features_json(other));
  other = base;
  other.sepal_width = 3.6;
  EXPECT_NE(canonical_features_json(base), canonical_features_json(other));
}

TEST(AcmePredictionsTest, RenderedPredictionNamesTheSpeciesWithProbabilitiesSummingToOne) {
  const std::string body = render_prediction(model(), {6.7, 3.0, 5.2, 2.3});  // a virginica from the data
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  EXPECT_EQ(std::string_view(root["species"].get_string().value()), "virginica");
  double sum = 0;
  for (std::string_view species : iris_species) {
    const double probability = root["probabilities"][species].get_double().value();
    EXPECT_GE(probability, 0.0);
    // Four decimals at most: the value times 10^4 is a whole number.
    EXPECT_NEAR(probability * 10000, std::round(probability * 10000), 1e-6) << body;
    sum += probability;
  }
  EXPECT_NEAR(sum, 1.0, 1e-9) << body;
  EXPECT_GT(root["probabilities"]["virginica"].get_double().value(), 0.5);
  EXPECT_EQ(std::string_view(root["model_version"].get_string().value()), model().version());
  EXPECT_EQ(render_prediction(model(), {6.7, 3.0, 5.2, 2.3}), body);
}

TEST(AcmePredictionsTest, ModelVersionIdentifiesTheDataAndTheParameters) {
  const std::string& version = model().version();
  ASSERT_EQ(version.size(), std::string_view("rf-100-").size() + 12) << version;
  EXPECT_TRUE(version.starts_with("rf-100-")) << version;
  EXPECT_TRUE(is_lower_hex(version.substr(7))) << version;
  EXPECT_EQ(IrisModel::train_embedded().version(), version);

  ml::ForestParameters reseeded = iris_forest_parameters();
  reseeded.seed += 1;
  EXPECT_NE(IrisModel(iris_csv(), reseeded).version(), version);
  const std::string_view csv = iris_csv();
  const std::string_view without_last_row = csv.substr(0, csv.rfind('\n', csv.size() - 2) + 1);
  EXPECT_NE(IrisModel(without_last_row, iris_forest_parameters()).version(), version);
}

TEST(AcmePredictionsTest, IrisCsvParserRejectsWhatIsNotTheDataSet) {
  EXPECT_EQ(parse_iris_csv("sepal_length,sepal_width,petal_length,petal_width,species\r\n5,3,1,0.2,setosa\r\n").rows(),
            1U);
  EXPECT_THROW(parse_iris_csv("a,b,c,d,e\n5,3,1,0.2,setosa\n"), std::invalid_argument);
  EXPECT_THROW(parse_iris_csv("sepal_length,sepal_width,petal_length,petal_width,species\n5,3,x,0.2,setosa\n"),
               std::invalid_argument);
  EXPECT_THROW(parse_iris_csv("sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,rose\n"),
               std::invalid_argument);
  EXPECT_THROW(parse_iris_csv("sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,setosa,9\n"),
               std::invalid_argument);
  EXPECT_THROW(parse_iris_csv("sepal_length,sepal_width,petal_length,petal_width,species\n"), std::invalid_argument);
}

}  // namespace
}  // namespace tachyon::app::acme
