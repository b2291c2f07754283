// Random forests of CART classification trees (Breiman 2001), trained in memory: Gini impurity, a
// bootstrap sample per tree, a random subset of the features per split. Training is deterministic for a
// given seed on every platform (our own generator, no std:: distributions, whose output is unspecified).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tachyon::ml {

// Rows of numeric features with a class label each (0 .. class_count - 1).
class TrainingSet {
 public:
  TrainingSet(std::size_t feature_count, std::size_t class_count);

  // Throws std::invalid_argument when the row has the wrong width or the label is out of range.
  void add(std::span<const double> features, std::size_t label);

  std::size_t feature_count() const { return feature_count_; }
  std::size_t class_count() const { return class_count_; }
  std::size_t rows() const { return labels_.size(); }
  std::span<const double> row(std::size_t index) const {
    return std::span<const double>(features_).subspan(index * feature_count_, feature_count_);
  }
  double feature(std::size_t row, std::size_t feature) const { return features_[row * feature_count_ + feature]; }
  std::size_t label(std::size_t row) const { return labels_[row]; }

 private:
  std::size_t feature_count_;
  std::size_t class_count_;
  std::vector<double> features_;  // row-major
  std::vector<std::size_t> labels_;
};

struct ForestParameters {
  std::size_t tree_count = 100;
  std::size_t max_depth = 10;          // the root is depth 0; a node at max_depth is a leaf
  std::size_t min_samples_leaf = 1;    // a split never leaves fewer samples than this on either side
  std::size_t features_per_split = 0;  // 0: round(sqrt(feature_count)), at least 1
  std::uint64_t seed = 1;

  // "trees=100;max_depth=10;..." with every parameter and the training algorithm's revision: two forests
  // trained on the same data with equal descriptions are the same forest (for model versions).
  std::string describe() const;
};

class RandomForest {
 public:
  // Bumped whenever a change to training makes the same data and parameters grow different trees.
  static constexpr int algorithm_revision = 1;

  // Throws std::invalid_argument for an empty set, no trees, or min_samples_leaf 0.
  static RandomForest train(const TrainingSet& data, const ForestParameters& parameters);

  // The mean over the trees of the class distribution in the leaf `features` reaches: one probability
  // per class, summing to 1. Throws std::invalid_argument when the width is not feature_count().
  std::vector<double> predict_probabilities(std::span<const double> features) const;
  // The same into `probabilities` (class_count() entries), allocating nothing.
  void predict_probabilities(std::span<const double> features, std::span<double> probabilities) const;
  // The most probable class (the lowest index on a tie).
  std::size_t predict(std::span<const double> features) const;

  std::size_t feature_count() const { return feature_count_; }
  std::size_t class_count() const { return class_count_; }
  std::size_t tree_count() const { return roots_.size(); }
  std::size_t node_count() const { return nodes_.size(); }

 private:
  friend class TreeBuilder;

  // Every tree's nodes live in one array; a tree is the index of its root.
  struct Node {
    static constexpr std::uint32_t leaf = UINT32_MAX;
    double threshold = 0;          // a split sends feature <= threshold left
    std::uint32_t feature = leaf;  // leaf: no split
    std::uint32_t left = 0;        // children's indices in nodes_ (split only)
    std::uint32_t right = 0;
    std::uint32_t distribution = 0;  // leaf: offset of its class_count probabilities in distributions_
  };

  RandomForest(std::size_t feature_count, std::size_t class_count)
      : feature_count_(feature_count), class_count_(class_count) {}

  std::size_t feature_count_;
  std::size_t class_count_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> roots_;
  std::vector<double> distributions_;
};

}  // namespace tachyon::ml
