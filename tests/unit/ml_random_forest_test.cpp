// The random forest (tachyon/ml) on the Iris data set and on small synthetic sets: deterministic for a
// seed, accurate on the training set and on a stratified hold-out, probabilities that form a
// distribution; and rounding that keeps the sum.
#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "app/acme/iris_data.hpp"
#include "app/acme/iris_model.hpp"
#include "tachyon/ml/random_forest.hpp"
#include "tachyon/ml/rounding.hpp"

namespace tachyon::ml {
namespace {

TrainingSet iris() {
  return app::acme::parse_iris_csv(app::acme::iris_csv());
}

ForestParameters iris_parameters() {
  return app::acme::iris_forest_parameters();
}

double accuracy(const RandomForest& forest, const TrainingSet& data) {
  std::size_t correct = 0;
  for (std::size_t row = 0; row < data.rows(); ++row) {
    if (forest.predict(data.row(row)) == data.label(row)) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(data.rows());
}

// Stratified fold `fold` of 5: the (fold+1)th, (fold+6)th, ... flower of each species (10 of its 50) is
// held out, the other 40 train.
std::pair<TrainingSet, TrainingSet> split_train_test(const TrainingSet& data, std::size_t fold) {
  TrainingSet train(data.feature_count(), data.class_count());
  TrainingSet test(data.feature_count(), data.class_count());
  std::vector<std::size_t> seen(data.class_count(), 0);
  for (std::size_t row = 0; row < data.rows(); ++row) {
    const std::size_t label = data.label(row);
    (seen[label]++ % 5 == fold ? test : train).add(data.row(row), label);
  }
  return {std::move(train), std::move(test)};
}

TEST(MlRandomForestTest, TheEmbeddedIrisDataHas150RowsFiftyPerSpecies) {
  const TrainingSet data = iris();
  ASSERT_EQ(data.rows(), 150U);
  std::vector<std::size_t> per_class(3, 0);
  for (std::size_t row = 0; row < data.rows(); ++row) ++per_class[data.label(row)];
  EXPECT_EQ(per_class, (std::vector<std::size_t>{50, 50, 50}));
  EXPECT_DOUBLE_EQ(data.feature(0, 0), 5.1);
  EXPECT_DOUBLE_EQ(data.feature(149, 3), 1.8);
}

TEST(MlRandomForestTest, TheSameSeedGrowsTheSameForest) {
  const TrainingSet data = iris();
  const RandomForest first = RandomForest::train(data, iris_parameters());
  const RandomForest second = RandomForest::train(data, iris_parameters());
  EXPECT_EQ(first.node_count(), second.node_count());
  for (std::size_t row = 0; row < data.rows(); ++row) {
    EXPECT_EQ(first.predict_probabilities(data.row(row)), second.predict_probabilities(data.row(row))) << row;
  }
}

// Guards the test above: if the seed were ignored, equal forests would prove nothing.
TEST(MlRandomForestTest, AnotherSeedGrowsAnotherForest) {
  const TrainingSet data = iris();
  ForestParameters other = iris_parameters();
  other.seed += 1;
  const RandomForest first = RandomForest::train(data, iris_parameters());
  const RandomForest second = RandomForest::train(data, other);
  std::size_t differing_rows = 0;
  for (std::size_t row = 0; row < data.rows(); ++row) {
    if (first.predict_probabilities(data.row(row)) != second.predict_probabilities(data.row(row))) ++differing_rows;
  }
  EXPECT_GT(differing_rows, 0U);
}

TEST(MlRandomForestTest, FitsTheIrisTrainingSetAtLeast95Percent) {
  const TrainingSet data = iris();
  const RandomForest forest = RandomForest::train(data, iris_parameters());
  EXPECT_EQ(forest.tree_count(), 100U);
  EXPECT_GE(accuracy(forest, data), 0.95);
}

// Every one of the five stratified 120/30 hold-outs, so the figure does not depend on one lucky split.
TEST(MlRandomForestTest, PredictsEachStratifiedHoldOutAtLeast90Percent) {
  const TrainingSet data = iris();
  for (std::size_t fold = 0; fold < 5; ++fold) {
    const auto [train, test] = split_train_test(data, fold);
    ASSERT_EQ(train.rows(), 120U);
    ASSERT_EQ(test.rows(), 30U);
    const RandomForest forest = RandomForest::train(train, iris_parameters());
    EXPECT_GE(accuracy(forest, test), 0.9) << "fold " << fold;
  }
}

TEST(MlRandomForestTest, ProbabilitiesAreADistributionEvenFarFromTheData) {
  const TrainingSet data = iris();
  const RandomForest forest = RandomForest::train(data, iris_parameters());
  std::vector<std::array<double, 4>> points;
  for (std::size_t row = 0; row < data.rows(); ++row)
    points.push_back({data.row(row)[0], data.row(row)[1], data.row(row)[2], data.row(row)[3]});
  points.push_back({0.01, 0.01, 0.01, 0.01});
  points.push_back({99.9, 99.9, 99.9, 99.9});
  for (const auto& point : points) {
    const std::vector<double> probabilities = forest.predict_probabilities(point);
    ASSERT_EQ(probabilities.size(), 3U);
    for (double probability : probabilities) {
      EXPECT_GE(probability, 0.0);
      EXPECT_LE(probability, 1.0);
    }
    EXPECT_NEAR(std::accumulate(probabilities.begin(), probabilities.end(), 0.0), 1.0, 1e-12);
  }
}

TEST(MlRandomForestTest, LearnsASeparableSetExactly) {
  // Class 0 below x = 5, class 1 above; the second feature is noise-free but useless (constant).
  TrainingSet data(2, 2);
  for (int x = 0; x < 10; ++x) data.add(std::array<double, 2>{static_cast<double>(x), 1.0}, x < 5 ? 0 : 1);
  const RandomForest forest = RandomForest::train(data, {.tree_count = 25, .seed = 7});
  EXPECT_EQ(forest.predict_probabilities(std::array<double, 2>{0.0, 1.0}), (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(forest.predict_probabilities(std::array<double, 2>{9.0, 1.0}), (std::vector<double>{0.0, 1.0}));
}

TEST(MlRandomForestTest, DepthZeroGivesOneLeafPerTree) {
  const RandomForest forest = RandomForest::train(iris(), {.tree_count = 10, .max_depth = 0});
  EXPECT_EQ(forest.node_count(), 10U);
}

TEST(MlRandomForestTest, RejectsUnusableInput) {
  TrainingSet empty(4, 3);
  EXPECT_THROW(RandomForest::train(empty, {}), std::invalid_argument);
  EXPECT_THROW(RandomForest::train(iris(), {.tree_count = 0}), std::invalid_argument);
  EXPECT_THROW(RandomForest::train(iris(), {.min_samples_leaf = 0}), std::invalid_argument);
  EXPECT_THROW(empty.add(std::array<double, 3>{1, 2, 3}, 0), std::invalid_argument);
  EXPECT_THROW(empty.add(std::array<double, 4>{1, 2, 3, 4}, 3), std::invalid_argument);
  const RandomForest forest = RandomForest::train(iris(), {.tree_count = 3});
  EXPECT_THROW(forest.predict_probabilities(std::array<double, 3>{1, 2, 3}), std::invalid_argument);
}

TEST(MlRandomForestTest, DescribeNamesEveryParameter) {
  EXPECT_EQ(
      (ForestParameters{.tree_count = 7, .max_depth = 3, .min_samples_leaf = 2, .features_per_split = 1, .seed = 9})
          .describe(),
      "trees=7;max_depth=3;min_samples_leaf=2;features_per_split=1;seed=9;algorithm=cart-gini-1");
}

TEST(MlRoundingTest, RoundedThirdsStillSumToOne) {
  const std::vector<double> thirds{1.0 / 3, 1.0 / 3, 1.0 / 3};
  EXPECT_EQ(round_preserving_sum(thirds, 4), (std::vector<double>{0.3334, 0.3333, 0.3333}));
}

TEST(MlRoundingTest, TheLargestRemaindersGetTheMissingUnits) {
  // Floors 0.2 + 0.2 + 0.5 leave 0.1 missing; the two equal remainders go to the lowest index first.
  EXPECT_EQ(round_preserving_sum(std::vector<double>{0.25, 0.25, 0.5}, 1), (std::vector<double>{0.3, 0.2, 0.5}));
  EXPECT_EQ(round_preserving_sum(std::vector<double>{0.14, 0.26, 0.6}, 1), (std::vector<double>{0.1, 0.3, 0.6}));
  EXPECT_EQ(round_preserving_sum(std::vector<double>{0.97, 0.02, 0.01}, 2), (std::vector<double>{0.97, 0.02, 0.01}));
  EXPECT_EQ(round_preserving_sum(std::vector<double>{0.6, 0.4}, 0), (std::vector<double>{1.0, 0.0}));
}

TEST(MlRoundingTest, RejectsNegativeValuesAndTooManyDecimals) {
  EXPECT_THROW(round_preserving_sum(std::vector<double>{-0.1, 1.1}, 4), std::invalid_argument);
  EXPECT_THROW(round_preserving_sum(std::vector<double>{1.0}, 10), std::invalid_argument);
}

}  // namespace
}  // namespace tachyon::ml
