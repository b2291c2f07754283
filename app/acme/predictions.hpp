// POST /v1/predict in three parts, so a cache can sit between them: the request schema that parses the
// body into IrisFeatures, a pure render_prediction() that produces the response body, and the handler
// (add_prediction_routes in resources.hpp) that joins them. canonical_features_json() gives equal inputs
// one spelling, for cache keys.
#pragma once

#include <string>

#include "app/acme/iris_model.hpp"
#include "tachyon/json/schema.hpp"

namespace tachyon::app::acme {

// The four measurements, each a number > 0 and < 100; missing, unknown or null members are errors.
const json::ObjectSchema<IrisFeatures>& iris_features_schema();

// {"species":"setosa","probabilities":{"setosa":0.97,"versicolor":0.02,"virginica":0.01},
//  "model_version":"rf-100-..."}: probabilities rounded to 4 decimals that still sum to 1.
// Depends only on the model and the features.
std::string render_prediction(const IrisModel& model, const IrisFeatures& features);

// {"sepal_length":5.1,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}: always this key order,
// each number the shortest text that reads back to the same double (std::to_chars), so bodies that
// differ only in member order, spacing or spelling (5.1, 5.10, 51e-1) give the same string.
std::string canonical_features_json(const IrisFeatures& features);

}  // namespace tachyon::app::acme
