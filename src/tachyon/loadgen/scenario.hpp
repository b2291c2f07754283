// Scenarios for `tachyon bench --scenario FILE`: named, weighted requests, a flow each virtual
// user runs first (e.g. a login that captures a token), {{variable}} templates fed from a CSV file
// and from captures. One Session per connection holds that user's variables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::loadgen {

struct ScenarioRequest {
  std::string name;
  std::string method = "GET";
  std::string path = "/";  // may hold {{variables}}, as may header values and the body
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  double weight = 1.0;
  std::map<std::string, std::string> captures;  // variable -> JSON path like $.token or $.data[0].id
};

struct Scenario {
  std::string host_header;                    // filled in from the URL
  std::vector<ScenarioRequest> endpoints;     // flow steps first, then the weighted requests
  std::size_t flow_steps = 0;
  std::vector<std::string> csv_columns;
  std::vector<std::vector<std::string>> csv_rows;

  bool captures_bodies() const;
  std::vector<std::string> endpoint_names() const;
};

// Reads the scenario JSON document (see README.md, "tachyon bench"); a relative `csv` path is
// taken from the scenario file's directory. Returns nullopt with `error` set when it is invalid.
std::optional<Scenario> load_scenario(const std::string& path, std::string& error);

// Replaces every {{name}} with the variable's value (unknown names become empty).
std::string expand_template(std::string_view text, const std::map<std::string, std::string>& variables);
// The value at a simple JSON path ($.a.b, $.items[0].id) as text: strings unquoted, numbers and
// booleans as written. nullopt when the document or path does not match.
std::optional<std::string> extract_json_path(std::string_view json, std::string_view path);

class Session {
 public:
  Session(const Scenario& scenario, std::size_t user_index, std::uint64_t seed);
  // Appends the next request's bytes to `out` and returns its endpoint index.
  std::size_t next_request(std::string& out);
  void on_response(std::size_t endpoint, int status, std::string_view body);

 private:
  const Scenario& scenario_;
  std::size_t next_flow_step_ = 0;
  std::map<std::string, std::string> variables_;
  std::mt19937_64 random_;
  std::discrete_distribution<std::size_t> pick_;
};

}  // namespace tachyon::loadgen
