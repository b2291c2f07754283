#include "tachyon/loadgen/scenario.hpp"

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace tachyon::loadgen {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  // Plain comma-separated values without quoting: enough for user names, ids and passwords.
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

bool load_csv(const std::string& path, Scenario& scenario, std::string& error) {
  std::ifstream file(path);
  if (!file) return error = "cannot read CSV file " + path, false;
  std::string line;
  while (std::getline(file, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (scenario.csv_columns.empty()) {
      scenario.csv_columns = split_csv_line(line);
    } else {
      scenario.csv_rows.push_back(split_csv_line(line));
    }
  }
  if (scenario.csv_rows.empty()) return error = "CSV file " + path + " has no data rows", false;
  return true;
}

// Both formats become one YAML tree, read by one reader: JSON through simdjson, YAML through
// yaml-cpp (whose scalars are untyped text, so JSON numbers and booleans become their text too).
YAML::Node from_json(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      YAML::Node node(YAML::NodeType::Map);
      simdjson::dom::object object = element.get_object().value_unsafe();  // named: it outlives the loop
      for (auto [key, value] : object) node[std::string(key)] = from_json(value);
      return node;
    }
    case simdjson::dom::element_type::ARRAY: {
      YAML::Node node(YAML::NodeType::Sequence);
      simdjson::dom::array array = element.get_array().value_unsafe();
      for (simdjson::dom::element item : array) node.push_back(from_json(item));
      return node;
    }
    case simdjson::dom::element_type::STRING:
      return YAML::Node(std::string(element.get_string().value_unsafe()));
    case simdjson::dom::element_type::NULL_VALUE:
      return YAML::Node(YAML::NodeType::Null);
    default:
      return YAML::Node(simdjson::to_string(element));
  }
}

bool scalar_text(const YAML::Node& node, std::string& out) {
  if (!node.IsScalar()) return false;
  out = node.Scalar();
  return true;
}

bool scalar_number(const YAML::Node& node, double& out) {
  std::string text;
  if (!scalar_text(node, text)) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

// think_time: "10ms", "5ms-20ms" or {min: 5ms, max: 20ms}.
bool read_think_time(const YAML::Node& node, ThinkTime& out, std::string& error) {
  std::string text;
  if (scalar_text(node, text)) {
    if (auto think = parse_think_time(text)) return out = *think, true;
  } else if (node.IsMap()) {
    std::string minimum;
    std::string maximum;
    if (scalar_text(node["min"], minimum) && scalar_text(node["max"], maximum)) {
      if (auto think = parse_think_time(minimum + "-" + maximum)) return out = *think, true;
    }
  }
  return error = "think_time takes a duration like 10ms or a range like 5ms-20ms", false;
}

bool read_request(const YAML::Node& object, ScenarioRequest& request, std::string& error) {
  if (!object.IsMap()) return false;
  for (auto field : object) {
    std::string key = field.first.Scalar();
    const YAML::Node& value = field.second;
    bool valid = true;
    if (key == "name") {
      valid = scalar_text(value, request.name);
    } else if (key == "method") {
      valid = scalar_text(value, request.method);
    } else if (key == "path") {
      valid = scalar_text(value, request.path);
    } else if (key == "body") {
      std::string body;
      valid = scalar_text(value, body);
      request.body = body;
    } else if (key == "weight") {
      valid = scalar_number(value, request.weight);
    } else if (key == "think_time") {
      ThinkTime think;
      if (!read_think_time(value, think, error)) return false;
      request.think_time = think;
    } else if ((key == "headers" || key == "capture") && value.IsMap()) {
      for (auto entry : value) {
        std::string text;
        if (!scalar_text(entry.second, text)) return error = "\"" + key + "\" values must be strings", false;
        if (key == "headers") {
          request.headers.emplace_back(entry.first.Scalar(), text);
        } else {
          request.captures[entry.first.Scalar()] = text;
        }
      }
    } else {
      valid = false;
    }
    if (!valid) return error = "unknown or mistyped request field \"" + key + "\"", false;
  }
  if (request.name.empty()) request.name = request.method + " " + request.path;
  if (request.path.empty() || request.path[0] != '/') return error = "request paths must start with /", false;
  if (request.weight <= 0) return error = "weights must be positive", false;
  return true;
}

bool read_stages(const YAML::Node& node, std::vector<Stage>& stages, std::string& error) {
  error = "stages take a list of {duration: 10s, rate: 100}";
  if (!node.IsSequence()) return false;
  for (const YAML::Node& item : node) {
    std::string duration_text;
    Stage stage;
    if (!item.IsMap() || !scalar_text(item["duration"], duration_text) || !scalar_number(item["rate"], stage.rate))
      return false;
    auto duration = parse_duration(duration_text);
    if (!duration || duration->count() <= 0 || stage.rate < 0) return false;
    stage.duration = *duration;
    stages.push_back(stage);
  }
  error.clear();
  return !stages.empty() || (error = "stages must not be empty", false);
}

// One scenario: the whole file, or one entry of its "scenarios" section (`named`).
bool read_scenario(const YAML::Node& root, bool named, const std::string& directory, Scenario& scenario,
                   std::string& error) {
  if (!root.IsMap()) return error = "a scenario must be an object", false;
  for (auto field : root) {
    std::string key = field.first.Scalar();
    const YAML::Node& value = field.second;
    if (key == "flow" || key == "requests") {
      if (!value.IsSequence()) return error = "\"" + key + "\" must be a list", false;
      continue;  // read below, flow first
    }
    if (key == "csv") {
      std::string csv_path;
      if (!scalar_text(value, csv_path) || csv_path.empty()) return error = "\"csv\" must be a file name", false;
      if (csv_path[0] != '/' && !directory.empty()) csv_path = directory + "/" + csv_path;
      if (!load_csv(csv_path, scenario, error)) return false;
    } else if (key == "think_time") {
      if (!read_think_time(value, scenario.think_time, error)) return false;
    } else if (named && key == "connections") {
      double connections = 0;
      if (!scalar_number(value, connections) || connections < 1 || connections != std::floor(connections)) {
        return error = "\"connections\" must be a positive integer", false;
      }
      scenario.connections = static_cast<int>(connections);
    } else if (named && key == "rate") {
      if (!scalar_number(value, scenario.rate) || scenario.rate <= 0)
        return error = "\"rate\" must be a positive number", false;
    } else if (named && key == "stages") {
      if (!read_stages(value, scenario.stages, error)) return false;
    } else if (!named && key == "scenarios") {
      continue;
    } else {
      return error = "unknown scenario field \"" + key + "\"", false;
    }
  }
  for (const char* section : {"flow", "requests"}) {
    const YAML::Node list = root[section];
    if (list) {
      for (const YAML::Node& item : list) {
        ScenarioRequest request;
        if (!read_request(item, request, error)) {
          if (error.empty()) error = std::string("\"") + section + "\" entries must be objects";
          return false;
        }
        scenario.endpoints.push_back(request);
      }
    }
    if (std::string_view(section) == "flow") scenario.flow_steps = scenario.endpoints.size();
  }
  if (scenario.endpoints.size() == scenario.flow_steps) {
    return error = "a scenario needs at least one entry in \"requests\"", false;
  }
  return true;
}

std::optional<ScenarioFile> read_scenario_file(const YAML::Node& root, const std::string& directory,
                                               std::string& error) {
  if (!root.IsMap()) {
    error = "a scenario file must hold an object";
    return std::nullopt;
  }
  ScenarioFile file;
  const YAML::Node named = root["scenarios"];
  if (!named) {
    Scenario scenario;
    scenario.name = "default";
    if (!read_scenario(root, false, directory, scenario, error)) return std::nullopt;
    file.scenarios.push_back(std::move(scenario));
    return file;
  }
  file.named = true;
  if (!named.IsMap() || named.size() == 0 || root.size() != 1) {
    error = "\"scenarios\" must be a non-empty object of named scenarios, alone in the file";
    return std::nullopt;
  }
  for (auto entry : named) {
    Scenario scenario;
    scenario.name = entry.first.Scalar();
    if (!read_scenario(entry.second, true, directory, scenario, error)) {
      error = "scenario \"" + scenario.name + "\": " + error;
      return std::nullopt;
    }
    file.scenarios.push_back(std::move(scenario));
  }
  return file;
}

}  // namespace

bool Scenario::captures_bodies() const {
  for (const auto& endpoint : endpoints) {
    if (!endpoint.captures.empty()) return true;
  }
  return false;
}

std::vector<std::string> Scenario::endpoint_names() const {
  std::vector<std::string> names;
  for (const auto& endpoint : endpoints) names.push_back(endpoint.name);
  return names;
}

std::optional<ScenarioFile> parse_scenario_file(const std::string& text, ScenarioFormat format,
                                                const std::string& directory, std::string& error) {
  YAML::Node root;
  if (format == ScenarioFormat::json) {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::element element;
    if (parser.parse(padded).get(element) || !element.is_object()) {
      error = "the scenario is not a JSON object";
      return std::nullopt;
    }
    root = from_json(element);
  } else {
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& exception) {
      error = std::string("the scenario is not valid YAML: ") + exception.what();
      return std::nullopt;
    }
  }
  try {
    return read_scenario_file(root, directory, error);
  } catch (const YAML::Exception& exception) {
    error = std::string("unexpected scenario structure: ") + exception.what();
    return std::nullopt;
  }
}

std::optional<ScenarioFile> load_scenario_file(const std::string& path, std::string& error) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    error = "cannot read scenario " + path;
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  ScenarioFormat format = ends_with(".yaml") || ends_with(".yml") ? ScenarioFormat::yaml : ScenarioFormat::json;
  std::size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? std::string() : path.substr(0, slash);
  auto file = parse_scenario_file(text, format, directory, error);
  if (!file) error = path + ": " + error;
  return file;
}

std::optional<std::chrono::microseconds> parse_duration(std::string_view text) {
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || number < 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double scale = 0;
  if (unit == "us")
    scale = 1;
  else if (unit == "ms")
    scale = 1e3;
  else if (unit == "s" || unit.empty())
    scale = 1e6;
  else if (unit == "m")
    scale = 60e6;
  else if (unit == "h")
    scale = 3600e6;
  else
    return std::nullopt;
  return std::chrono::microseconds(static_cast<std::int64_t>(number * scale));
}

std::optional<ThinkTime> parse_think_time(std::string_view text) {
  std::size_t dash = text.find('-');
  auto minimum = parse_duration(text.substr(0, dash));
  auto maximum = dash == std::string_view::npos ? minimum : parse_duration(text.substr(dash + 1));
  if (!minimum || !maximum || *maximum < *minimum) return std::nullopt;
  return ThinkTime{*minimum, *maximum};
}

std::string expand_template(std::string_view text, const std::map<std::string, std::string>& variables,
                            ValueGenerator* generator) {
  std::string out;
  while (true) {
    std::size_t open = text.find("{{");
    std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(text);
      return out;
    }
    out.append(text.substr(0, open));
    std::string_view name = text.substr(open + 2, close - open - 2);
    auto found = variables.find(std::string(name));
    if (found != variables.end()) {
      out += found->second;
    } else if (generator != nullptr) {
      if (auto value = generator->generate(name)) out += *value;
    }
    text.remove_prefix(close + 2);
  }
}

std::optional<std::string> extract_json_path(std::string_view json, std::string_view path) {
  if (path.substr(0, 1) != "$") return std::nullopt;
  path.remove_prefix(1);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element current;
  if (parser.parse(padded).get(current)) return std::nullopt;
  while (!path.empty()) {
    if (path[0] == '.') {
      path.remove_prefix(1);
      std::size_t end = path.find_first_of(".[");
      std::string_view key = path.substr(0, end);
      if (current[key].get(current)) return std::nullopt;
      path = end == std::string_view::npos ? std::string_view() : path.substr(end);
    } else if (path[0] == '[') {
      std::size_t end = path.find(']');
      std::size_t index = 0;
      if (end == std::string_view::npos) return std::nullopt;
      auto [pointer, parse_error] = std::from_chars(path.data() + 1, path.data() + end, index);
      if (parse_error != std::errc() || current.at(index).get(current)) return std::nullopt;
      path.remove_prefix(end + 1);
    } else {
      return std::nullopt;
    }
  }
  if (current.is_string()) return std::string(current.get_string().value_unsafe());
  if (current.is_object() || current.is_array() || current.is_null()) return std::nullopt;
  return simdjson::to_string(current);
}

Session::Session(const Scenario& scenario, std::size_t user_index, std::size_t user_count, std::uint64_t seed)
    : scenario_(scenario), random_(seed), generator_(seed ^ 0x9E3779B97F4A7C15ull, user_index + 1, user_count) {
  std::vector<double> weights;
  for (std::size_t index = scenario.flow_steps; index < scenario.endpoints.size(); ++index) {
    weights.push_back(scenario.endpoints[index].weight);
  }
  pick_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  // Virtual users take CSV rows in turn, wrapping around when there are more users than rows.
  if (!scenario.csv_rows.empty()) {
    const auto& row = scenario.csv_rows[user_index % scenario.csv_rows.size()];
    for (std::size_t column = 0; column < scenario.csv_columns.size() && column < row.size(); ++column) {
      variables_[scenario.csv_columns[column]] = row[column];
    }
  }
}

std::size_t Session::next_request(std::string& out) {
  std::size_t endpoint =
      next_flow_step_ < scenario_.flow_steps ? next_flow_step_++ : scenario_.flow_steps + pick_(random_);
  const ScenarioRequest& request = scenario_.endpoints[endpoint];
  out += request.method;
  out += ' ';
  out += expand_template(request.path, variables_, &generator_);
  out += " HTTP/1.1\r\nHost: ";
  out += scenario_.host_header;
  out += "\r\n";
  for (const auto& [name, value] : request.headers) {
    out += name;
    out += ": ";
    out += expand_template(value, variables_, &generator_);
    out += "\r\n";
  }
  if (request.body) {
    std::string body = expand_template(*request.body, variables_, &generator_);
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out += body;
  } else {
    out += "\r\n";
  }
  return endpoint;
}

void Session::on_response(std::size_t endpoint, int status, std::string_view body) {
  const ScenarioRequest& request = scenario_.endpoints[endpoint];
  if (request.captures.empty() || status >= 400) return;
  for (const auto& [variable, path] : request.captures) {
    if (auto value = extract_json_path(body, path)) variables_[variable] = *value;
  }
}

}  // namespace tachyon::loadgen
