#include "tachyon/ml/random_forest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <utility>

namespace tachyon::ml {

namespace {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and its output is fixed by its definition, unlike
// std::uniform_int_distribution's, so a seed grows the same forest with every standard library.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, bound). Draws at or above the largest multiple of `bound` are redrawn, which removes
  // the modulo bias; each redraw happens with probability below bound / 2^64, so 64 tries always suffice
  // in practice, and the last one is taken as it is rather than looping without bound.
  std::size_t below(std::size_t bound) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
    std::uint64_t draw = next();
    for (int attempt = 0; attempt < 64 && draw >= limit; ++attempt) draw = next();
    return static_cast<std::size_t>(draw % bound);
  }

 private:
  std::uint64_t state_;
};

struct Split {
  std::uint32_t feature = 0;
  double threshold = 0;
  double score = 0;  // sum over both sides of (sum of squared class counts / side size): higher is purer
};

// A sample's value on the feature being scanned, with its label.
struct Point {
  double value;
  std::size_t label;
};

std::size_t resolve_features_per_split(const ForestParameters& parameters, std::size_t feature_count) {
  std::size_t count = parameters.features_per_split;
  if (count == 0) count = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(feature_count))));
  return std::clamp<std::size_t>(count, 1, feature_count);
}

double squared_sum(const std::vector<std::size_t>& counts) {
  double sum = 0;
  for (std::size_t count : counts) sum += static_cast<double>(count) * static_cast<double>(count);
  return sum;
}

}  // namespace

// Grows one tree at a time into the forest's arrays. Weighted Gini impurity of a split is
// 1 - (sum_left(c^2)/n_left + sum_right(c^2)/n_right) / n, so the split with the highest
// sum_left(c^2)/n_left + sum_right(c^2)/n_right is the one with the lowest impurity.
class TreeBuilder {
 public:
  TreeBuilder(const TrainingSet& data, const ForestParameters& parameters, RandomForest& forest)
      : data_(data),
        parameters_(parameters),
        features_per_split_(resolve_features_per_split(parameters, data.feature_count())),
        forest_(forest) {}

  void grow_tree(std::uint64_t tree_seed) {
    Generator generator(tree_seed);
    // The bootstrap sample: as many rows as the data has, drawn with replacement.
    std::vector<std::uint32_t> samples(data_.rows());
    for (std::uint32_t& sample : samples) sample = static_cast<std::uint32_t>(generator.below(data_.rows()));
    forest_.roots_.push_back(grow(samples, 0, generator));
  }

 private:
  using Node = RandomForest::Node;

  std::uint32_t grow(std::span<std::uint32_t> samples, std::size_t depth, Generator& generator) {
    std::vector<std::size_t> counts(data_.class_count(), 0);
    for (std::uint32_t sample : samples) ++counts[data_.label(sample)];
    const bool pure = std::count(counts.begin(), counts.end(), 0) + 1 == static_cast<std::ptrdiff_t>(counts.size());
    if (pure || depth >= parameters_.max_depth || samples.size() < 2 * parameters_.min_samples_leaf) {
      return add_leaf(counts, samples.size());
    }
    const std::optional<Split> split = best_split(samples, counts, generator);
    if (!split) return add_leaf(counts, samples.size());

    const auto middle = std::partition(samples.begin(), samples.end(), [&](std::uint32_t sample) {
      return data_.feature(sample, split->feature) <= split->threshold;
    });
    const auto left_size = static_cast<std::size_t>(middle - samples.begin());
    const auto index = static_cast<std::uint32_t>(forest_.nodes_.size());
    forest_.nodes_.push_back(Node{.threshold = split->threshold, .feature = split->feature});
    // Children are appended after their parent, so the parent is addressed by index, not by reference.
    const std::uint32_t left = grow(samples.first(left_size), depth + 1, generator);
    const std::uint32_t right = grow(samples.subspan(left_size), depth + 1, generator);
    forest_.nodes_[index].left = left;
    forest_.nodes_[index].right = right;
    return index;
  }

  std::uint32_t add_leaf(const std::vector<std::size_t>& counts, std::size_t size) {
    const auto index = static_cast<std::uint32_t>(forest_.nodes_.size());
    const auto offset = static_cast<std::uint32_t>(forest_.distributions_.size());
    for (std::size_t count : counts) {
      forest_.distributions_.push_back(static_cast<double>(count) / static_cast<double>(size));
    }
    forest_.nodes_.push_back(Node{.distribution = offset});
    return index;
  }

  // Examines the features in a random order, features_per_split of them, and more only while none of
  // those examined could split the node (all constant there), as scikit-learn does.
  std::optional<Split> best_split(std::span<const std::uint32_t> samples, const std::vector<std::size_t>& counts,
                                  Generator& generator) {
    std::vector<std::uint32_t> order(data_.feature_count());
    std::iota(order.begin(), order.end(), 0U);
    for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[generator.below(i + 1)]);

    std::optional<Split> best;
    for (std::size_t examined = 0; examined < order.size(); ++examined) {
      if (examined >= features_per_split_ && best) break;
      scan_feature(samples, counts, order[examined], best);
    }
    return best;
  }

  // Tries every threshold between two distinct consecutive values of `feature`, keeping the best split
  // that leaves at least min_samples_leaf samples on each side.
  void scan_feature(std::span<const std::uint32_t> samples, const std::vector<std::size_t>& counts,
                    std::uint32_t feature, std::optional<Split>& best) {
    points_.clear();
    for (std::uint32_t sample : samples) points_.push_back({data_.feature(sample, feature), data_.label(sample)});
    std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) { return a.value < b.value; });

    const std::size_t size = points_.size();
    std::vector<std::size_t> left(counts.size(), 0);
    std::vector<std::size_t> right = counts;
    for (std::size_t i = 0; i + 1 < size; ++i) {
      ++left[points_[i].label];
      --right[points_[i].label];
      const std::size_t left_size = i + 1;
      if (points_[i].value == points_[i + 1].value) continue;  // no threshold separates equal values
      if (left_size < parameters_.min_samples_leaf || size - left_size < parameters_.min_samples_leaf) continue;
      const double score = squared_sum(left) / static_cast<double>(left_size) +
                           squared_sum(right) / static_cast<double>(size - left_size);
      if (best && score <= best->score) continue;
      // The midpoint, unless rounding puts it on the upper value (adjacent doubles), which must go right.
      double threshold = points_[i].value + (points_[i + 1].value - points_[i].value) / 2;
      if (!(threshold < points_[i + 1].value)) threshold = points_[i].value;
      best = Split{.feature = feature, .threshold = threshold, .score = score};
    }
  }

  const TrainingSet& data_;
  const ForestParameters& parameters_;
  const std::size_t features_per_split_;
  RandomForest& forest_;
  std::vector<Point> points_;  // scratch, reused across nodes
};

TrainingSet::TrainingSet(std::size_t feature_count, std::size_t class_count)
    : feature_count_(feature_count), class_count_(class_count) {
  if (feature_count == 0 || class_count == 0) throw std::invalid_argument("TrainingSet: no features or no classes");
}

void TrainingSet::add(std::span<const double> features, std::size_t label) {
  if (features.size() != feature_count_) throw std::invalid_argument("TrainingSet: row of the wrong width");
  if (label >= class_count_) throw std::invalid_argument("TrainingSet: label out of range");
  features_.insert(features_.end(), features.begin(), features.end());
  labels_.push_back(label);
}

std::string ForestParameters::describe() const {
  return "trees=" + std::to_string(tree_count) + ";max_depth=" + std::to_string(max_depth) +
         ";min_samples_leaf=" + std::to_string(min_samples_leaf) +
         ";features_per_split=" + std::to_string(features_per_split) + ";seed=" + std::to_string(seed) +
         ";algorithm=cart-gini-" + std::to_string(RandomForest::algorithm_revision);
}

RandomForest RandomForest::train(const TrainingSet& data, const ForestParameters& parameters) {
  if (data.rows() == 0) throw std::invalid_argument("RandomForest: no training rows");
  if (data.rows() > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("RandomForest: too many rows");
  if (parameters.tree_count == 0) throw std::invalid_argument("RandomForest: tree_count must be at least 1");
  if (parameters.min_samples_leaf == 0)
    throw std::invalid_argument("RandomForest: min_samples_leaf must be at least 1");
  RandomForest forest(data.feature_count(), data.class_count());
  TreeBuilder builder(data, parameters, forest);
  // Each tree gets its own seed from one sequence, so tree k is the same whatever the tree count.
  Generator seeds(parameters.seed);
  for (std::size_t tree = 0; tree < parameters.tree_count; ++tree) builder.grow_tree(seeds.next());
  return forest;
}

std::vector<double> RandomForest::predict_probabilities(std::span<const double> features) const {
  std::vector<double> probabilities(class_count_);
  predict_probabilities(features, probabilities);
  return probabilities;
}

void RandomForest::predict_probabilities(std::span<const double> features, std::span<double> probabilities) const {
  if (features.size() != feature_count_) throw std::invalid_argument("RandomForest: features of the wrong width");
  if (probabilities.size() != class_count_) throw std::invalid_argument("RandomForest: wrong number of classes");
  std::fill(probabilities.begin(), probabilities.end(), 0.0);
  for (std::uint32_t index : roots_) {
    const Node* node = &nodes_[index];
    while (node->feature != Node::leaf) {
      node = &nodes_[features[node->feature] <= node->threshold ? node->left : node->right];
    }
    for (std::size_t c = 0; c < class_count_; ++c) probabilities[c] += distributions_[node->distribution + c];
  }
  for (double& probability : probabilities) probability /= static_cast<double>(roots_.size());
}

std::size_t RandomForest::predict(std::span<const double> features) const {
  std::vector<double> probabilities = predict_probabilities(features);
  return static_cast<std::size_t>(std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
}

}  // namespace tachyon::ml
