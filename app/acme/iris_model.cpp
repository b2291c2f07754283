#include "app/acme/iris_model.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "app/acme/iris_data.hpp"
#include "tachyon/security/digest.hpp"

namespace tachyon::app::acme {

namespace {

constexpr std::string_view iris_header = "sepal_length,sepal_width,petal_length,petal_width,species";

[[noreturn]] void fail(std::size_t line_number, std::string_view what) {
  throw std::invalid_argument("iris.csv line " + std::to_string(line_number) + ": " + std::string(what));
}

// The next comma-separated field of `line`, removed from it.
std::string_view next_field(std::string_view& line) {
  const std::size_t comma = line.find(',');
  const std::string_view field = line.substr(0, comma);
  line.remove_prefix(comma == std::string_view::npos ? line.size() : comma + 1);
  return field;
}

std::array<double, 4> as_array(const IrisFeatures& features) {
  return {features.sepal_length, features.sepal_width, features.petal_length, features.petal_width};
}

ml::RandomForest train_forest(std::string_view csv, const ml::ForestParameters& parameters) {
  return ml::RandomForest::train(parse_iris_csv(csv), parameters);
}

}  // namespace

ml::TrainingSet parse_iris_csv(std::string_view csv) {
  ml::TrainingSet data(4, iris_species.size());
  std::size_t line_number = 0;
  while (!csv.empty()) {
    const std::size_t end = csv.find('\n');
    std::string_view line = csv.substr(0, end);
    csv.remove_prefix(end == std::string_view::npos ? csv.size() : end + 1);
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line_number == 1) {
      if (line != iris_header) fail(line_number, "the header must be " + std::string(iris_header));
      continue;
    }
    if (line.empty()) continue;
    std::array<double, 4> features{};
    for (double& feature : features) {
      const std::string_view text = next_field(line);
      const auto [parsed_end, error] = std::from_chars(text.data(), text.data() + text.size(), feature);
      if (error != std::errc() || parsed_end != text.data() + text.size() || text.empty()) {
        fail(line_number, "not a number: '" + std::string(text) + "'");
      }
    }
    const std::string_view species = next_field(line);
    const auto found = std::find(iris_species.begin(), iris_species.end(), species);
    if (found == iris_species.end()) fail(line_number, "unknown species: '" + std::string(species) + "'");
    if (!line.empty()) fail(line_number, "more than five fields");
    data.add(features, static_cast<std::size_t>(found - iris_species.begin()));
  }
  if (data.rows() == 0) throw std::invalid_argument("iris.csv: no rows");
  return data;
}

ml::ForestParameters iris_forest_parameters() {
  return {.tree_count = 100, .max_depth = 10, .min_samples_leaf = 1, .features_per_split = 0, .seed = 1936};
}

IrisModel::IrisModel(std::string_view csv, const ml::ForestParameters& parameters)
    : forest_(train_forest(csv, parameters)) {
  std::string identity(csv);
  identity += '\n';
  identity += parameters.describe();
  version_ = "rf-" + std::to_string(parameters.tree_count) + "-" + security::sha256_hex(identity).substr(0, 12);
}

IrisModel IrisModel::train_embedded() {
  return IrisModel(iris_csv(), iris_forest_parameters());
}

IrisPrediction IrisModel::predict(const IrisFeatures& features) const {
  IrisPrediction prediction;
  forest_.predict_probabilities(as_array(features), prediction.probabilities);
  prediction.species =
      static_cast<std::size_t>(std::max_element(prediction.probabilities.begin(), prediction.probabilities.end()) -
                               prediction.probabilities.begin());
  return prediction;
}

}  // namespace tachyon::app::acme
