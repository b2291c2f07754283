// The predictions route's own costs: one forest prediction (100 trees), the whole response body
// (prediction, rounding, JSON), the canonical features JSON a cache key is made from, and training.
#include <benchmark/benchmark.h>

#include <array>

#include "app/acme/iris_data.hpp"
#include "app/acme/iris_model.hpp"
#include "app/acme/predictions.hpp"

namespace {

using tachyon::app::acme::IrisFeatures;
using tachyon::app::acme::IrisModel;

const IrisModel& model() {
  static const IrisModel trained = IrisModel::train_embedded();
  return trained;
}

// A versicolor near the virginica border, so the trees do not all stop at the first split.
constexpr IrisFeatures border_flower{6.0, 2.7, 5.1, 1.6};

void forest_predict_probabilities(benchmark::State& state) {
  const std::array<double, 4> features{border_flower.sepal_length, border_flower.sepal_width,
                                       border_flower.petal_length, border_flower.petal_width};
  std::array<double, 3> probabilities{};
  for (auto _ : state) {
    model().forest().predict_probabilities(features, probabilities);
    benchmark::DoNotOptimize(probabilities);
  }
}
BENCHMARK(forest_predict_probabilities);

void render_prediction_body(benchmark::State& state) {
  for (auto _ : state) {
    std::string body = tachyon::app::acme::render_prediction(model(), border_flower);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(render_prediction_body);

void canonical_features(benchmark::State& state) {
  for (auto _ : state) {
    std::string text = tachyon::app::acme::canonical_features_json(border_flower);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(canonical_features);

void train_iris_forest(benchmark::State& state) {
  for (auto _ : state) {
    IrisModel trained = IrisModel::train_embedded();
    benchmark::DoNotOptimize(trained);
  }
}
BENCHMARK(train_iris_forest)->Unit(benchmark::kMillisecond);

}  // namespace
