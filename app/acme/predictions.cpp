// The predictions resource: POST /v1/predict answers the species of an iris from the model trained at
// start (iris_model.hpp).
#include "app/acme/predictions.hpp"

#include <charconv>

#include "app/acme/resources.hpp"
#include "tachyon/cache/http_cache.hpp"
#include "tachyon/http/json_body.hpp"
#include "tachyon/json/writer.hpp"
#include "tachyon/ml/rounding.hpp"
#include "tachyon/security/digest.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

constexpr int probability_decimals = 4;

// A flower measured in centimetres: the data set's values run from 0.1 to 7.9.
const json::NumberRules measurement_rules{.exclusive_minimum = 0, .exclusive_maximum = 100};

void append_shortest(std::string& out, double number) {
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  out.append(digits, end);
}

void write_prediction_schema(json::JsonWriter& writer) {
  writer.begin_object();
  writer.field("title", "Prediction");
  writer.field("type", "object");
  writer.key("properties");
  writer.begin_object();
  writer.key("species");
  writer.begin_object();
  writer.field("type", "string");
  writer.key("enum");
  writer.begin_array();
  for (std::string_view species : iris_species) writer.value(species);
  writer.end_array();
  writer.end_object();
  writer.key("probabilities");
  writer.begin_object();
  writer.field("type", "object");
  writer.key("properties");
  writer.begin_object();
  for (std::string_view species : iris_species) {
    writer.key(species);
    writer.begin_object();
    writer.field("type", "number");
    writer.field("minimum", 0);
    writer.field("maximum", 1);
    writer.end_object();
  }
  writer.end_object();
  writer.end_object();
  writer.key("model_version");
  writer.begin_object();
  writer.field("type", "string");
  writer.end_object();
  writer.end_object();
  writer.key("required");
  writer.begin_array();
  writer.value("species");
  writer.value("probabilities");
  writer.value("model_version");
  writer.end_array();
  writer.end_object();
}

// Cached by input: predict:<SHA-256 of the model version and the canonical features>, so the model
// runs once per distinct flower per TTL, on whichever instance asks first, and a new model (another
// version) never answers from the old one's entries in a shared Redis.
asio::awaitable<void> predict(http::Context& context, const IrisModel& model, const AcmeCaches& caches) {
  const IrisFeatures features = http::read_json_body(context, iris_features_schema());
  std::string key = std::string(predictions_cache) + ":" +
                    security::sha256_hex(model.version() + "\n" + canonical_features_json(features));
  cache::Loader load = [&model, features]() -> asio::awaitable<cache::Loaded> {
    cache::Loaded loaded;
    loaded.body = render_prediction(model, features);
    co_return loaded;
  };
  std::vector<std::string> no_tags;
  co_await cache::serve_cached(context, caches.cache, caches.predictions, std::move(key), std::move(no_tags),
                               std::move(load));
}

}  // namespace

const json::ObjectSchema<IrisFeatures>& iris_features_schema() {
  static const auto schema = json::ObjectSchema<IrisFeatures>("IrisFeatures")
                                 .number("sepal_length", &IrisFeatures::sepal_length, measurement_rules)
                                 .number("sepal_width", &IrisFeatures::sepal_width, measurement_rules)
                                 .number("petal_length", &IrisFeatures::petal_length, measurement_rules)
                                 .number("petal_width", &IrisFeatures::petal_width, measurement_rules);
  return schema;
}

std::string render_prediction(const IrisModel& model, const IrisFeatures& features) {
  const IrisPrediction prediction = model.predict(features);
  const std::vector<double> rounded = ml::round_preserving_sum(prediction.probabilities, probability_decimals);
  std::string body;
  json::JsonWriter writer(body);
  writer.begin_object();
  writer.field("species", iris_species[prediction.species]);
  writer.key("probabilities");
  writer.begin_object();
  for (std::size_t index = 0; index < iris_species.size(); ++index) writer.field(iris_species[index], rounded[index]);
  writer.end_object();
  writer.field("model_version", std::string_view(model.version()));
  writer.end_object();
  return body;
}

std::string canonical_features_json(const IrisFeatures& features) {
  std::string text = "{\"sepal_length\":";
  append_shortest(text, features.sepal_length);
  text += ",\"sepal_width\":";
  append_shortest(text, features.sepal_width);
  text += ",\"petal_length\":";
  append_shortest(text, features.petal_length);
  text += ",\"petal_width\":";
  append_shortest(text, features.petal_width);
  text += '}';
  return text;
}

void add_prediction_routes(http::Router& router, const IrisModel& model, const AcmeCaches& caches) {
  router.post("/v1/predict", [&model, &caches](http::Context& context) { return predict(context, model, caches); })
      .name("predict")
      .public_access()
      .tags({"predictions"})
      .summary("Predict the species of an iris from its sepal and petal measurements (cm)")
      .request_schema([](json::JsonWriter& writer) { iris_features_schema().write_json_schema(writer); })
      .response(200, "The predicted species, the probability of each, and the model's version",
                write_prediction_schema);
}

}  // namespace tachyon::app::acme
