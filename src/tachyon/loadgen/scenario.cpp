#include "tachyon/loadgen/scenario.hpp"

#include <simdjson.h>

#include <charconv>
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

bool read_request(simdjson::dom::object object, ScenarioRequest& request, std::string& error) {
  for (auto [key, value] : object) {
    if (key == "name" && value.is_string()) {
      request.name = std::string(value.get_string().value_unsafe());
    } else if (key == "method" && value.is_string()) {
      request.method = std::string(value.get_string().value_unsafe());
    } else if (key == "path" && value.is_string()) {
      request.path = std::string(value.get_string().value_unsafe());
    } else if (key == "body" && value.is_string()) {
      request.body = std::string(value.get_string().value_unsafe());
    } else if (key == "weight" && value.is_number()) {
      request.weight = value.get_double().value_unsafe();
    } else if ((key == "headers" || key == "capture") && value.is_object()) {
      simdjson::dom::object fields = value.get_object().value_unsafe();  // a named object outlives the loop
      for (auto [name, text] : fields) {
        if (!text.is_string()) return error = "\"" + std::string(key) + "\" values must be strings", false;
        std::string entry(text.get_string().value_unsafe());
        if (key == "headers") {
          request.headers.emplace_back(std::string(name), entry);
        } else {
          request.captures[std::string(name)] = entry;
        }
      }
    } else {
      return error = "unknown or mistyped request field \"" + std::string(key) + "\"", false;
    }
  }
  if (request.name.empty()) request.name = request.method + " " + request.path;
  if (request.path.empty() || request.path[0] != '/') return error = "request paths must start with /", false;
  if (request.weight <= 0) return error = "weights must be positive", false;
  return true;
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

std::optional<Scenario> load_scenario(const std::string& path, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(path).get(root) || !root.is_object()) {
    error = "cannot read scenario " + path + " as a JSON object";
    return std::nullopt;
  }
  Scenario scenario;
  for (const char* section : {"flow", "requests"}) {
    simdjson::dom::array list;
    if (root[section].get(list)) continue;
    for (simdjson::dom::element item : list) {
      ScenarioRequest request;
      if (!item.is_object() || !read_request(item.get_object().value_unsafe(), request, error)) {
        if (error.empty()) error = std::string("\"") + section + "\" entries must be objects";
        return std::nullopt;
      }
      scenario.endpoints.push_back(request);
    }
    if (std::string_view(section) == "flow") scenario.flow_steps = scenario.endpoints.size();
  }
  if (scenario.endpoints.size() == scenario.flow_steps) {
    error = "a scenario needs at least one entry in \"requests\"";
    return std::nullopt;
  }
  std::string_view csv;
  if (!root["csv"].get(csv)) {
    std::string csv_path(csv);
    std::size_t slash = path.rfind('/');
    if (csv_path[0] != '/' && slash != std::string::npos) csv_path = path.substr(0, slash + 1) + csv_path;
    if (!load_csv(csv_path, scenario, error)) return std::nullopt;
  }
  return scenario;
}

std::string expand_template(std::string_view text, const std::map<std::string, std::string>& variables) {
  std::string out;
  while (true) {
    std::size_t open = text.find("{{");
    std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(text);
      return out;
    }
    out.append(text.substr(0, open));
    auto found = variables.find(std::string(text.substr(open + 2, close - open - 2)));
    if (found != variables.end()) out += found->second;
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

Session::Session(const Scenario& scenario, std::size_t user_index, std::uint64_t seed)
    : scenario_(scenario), random_(seed) {
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
  std::size_t endpoint = next_flow_step_ < scenario_.flow_steps ? next_flow_step_++ : scenario_.flow_steps + pick_(random_);
  const ScenarioRequest& request = scenario_.endpoints[endpoint];
  out += request.method;
  out += ' ';
  out += expand_template(request.path, variables_);
  out += " HTTP/1.1\r\nHost: ";
  out += scenario_.host_header;
  out += "\r\n";
  for (const auto& [name, value] : request.headers) {
    out += name;
    out += ": ";
    out += expand_template(value, variables_);
    out += "\r\n";
  }
  if (request.body) {
    std::string body = expand_template(*request.body, variables_);
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
