// Acme's predictions model: a random forest (tachyon/ml) trained at start on the Iris data set embedded
// in the binary, predicting the species of an iris from four measurements in centimetres.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "tachyon/ml/random_forest.hpp"

namespace tachyon::app::acme {

struct IrisFeatures {
  double sepal_length = 0;
  double sepal_width = 0;
  double petal_length = 0;
  double petal_width = 0;
};

// Class labels, in the order of IrisPrediction::probabilities.
inline constexpr std::array<std::string_view, 3> iris_species{"setosa", "versicolor", "virginica"};

struct IrisPrediction {
  std::size_t species = 0;                   // index into iris_species
  std::array<double, 3> probabilities = {};  // per species, summing to 1
};

// Reads iris.csv: the header "sepal_length,sepal_width,petal_length,petal_width,species", then one row
// per flower. Throws std::invalid_argument naming the line for anything else.
ml::TrainingSet parse_iris_csv(std::string_view csv);

// The hyper-parameters Acme trains with: 100 trees, sqrt(4) = 2 candidate features per split, fixed seed.
ml::ForestParameters iris_forest_parameters();

class IrisModel {
 public:
  // Trains on `csv` (parse_iris_csv's format); throws std::invalid_argument when it does not parse.
  IrisModel(std::string_view csv, const ml::ForestParameters& parameters);
  // The embedded data set with iris_forest_parameters().
  static IrisModel train_embedded();

  IrisPrediction predict(const IrisFeatures& features) const;

  // "rf-<trees>-<first 12 hex digits of SHA-256(csv + parameters.describe())>": changes with the data,
  // any hyper-parameter or the training algorithm's revision.
  const std::string& version() const { return version_; }
  const ml::RandomForest& forest() const { return forest_; }

 private:
  ml::RandomForest forest_;
  std::string version_;
};

}  // namespace tachyon::app::acme
