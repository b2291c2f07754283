// Scenarios for `tachyon bench --scenario FILE` (JSON or YAML, one model for both): named, weighted
// requests, a flow each virtual user runs first (e.g. a login that captures a token), {{variable}}
// templates fed from a CSV file, captures and generators, think times, and optionally several named
// scenarios each with its own connections and rate. One Session per connection holds that user's
// variables.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/loadgen/engine.hpp"
#include "tachyon/loadgen/value_generator.hpp"

namespace tachyon::loadgen {

struct ScenarioRequest {
  std::string name;
  std::string method = "GET";
  std::string path = "/";  // may hold {{variables}}, as may header values and the body
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  double weight = 1.0;
  std::map<std::string, std::string> captures;  // variable -> JSON path like $.token or $.data[0].id
  std::optional<ThinkTime> think_time;          // after this request; overrides the scenario's
};

struct Scenario {
  std::string name;                        // "default" for a file without "scenarios"
  std::string host_header;                 // filled in from the URL
  std::vector<ScenarioRequest> endpoints;  // flow steps first, then the weighted requests
  std::size_t flow_steps = 0;
  std::vector<std::string> csv_columns;
  std::vector<std::vector<std::string>> csv_rows;
  ThinkTime think_time;
  // Load of this scenario when the file names several: connections (0: the command line's), and
  // an open-model rate or stages (none: closed model).
  int connections = 0;
  double rate = 0.0;
  std::vector<Stage> stages;

  bool captures_bodies() const;
  std::vector<std::string> endpoint_names() const;
};

struct ScenarioFile {
  std::vector<Scenario> scenarios;
  bool named = false;  // the file had a "scenarios" section
};

// Reads a scenario file (see README.md, "Load testing"): YAML when the name ends in .yaml or .yml,
// JSON otherwise. A relative `csv` path is taken from the file's directory. Returns nullopt with
// `error` set when it is invalid.
std::optional<ScenarioFile> load_scenario_file(const std::string& path, std::string& error);
enum class ScenarioFormat { json, yaml };
// The same from text; `directory` resolves relative CSV paths ("" for the current directory).
std::optional<ScenarioFile> parse_scenario_file(const std::string& text, ScenarioFormat format,
                                                const std::string& directory, std::string& error);

// "500us", "10ms", "2s", "1m", "1h" (a bare number is seconds).
std::optional<std::chrono::microseconds> parse_duration(std::string_view text);
// "10ms" (fixed) or "5ms-20ms" (uniform in the range).
std::optional<ThinkTime> parse_think_time(std::string_view text);

// Replaces every {{name}} with the variable's value, else with the generator's value when
// `generator` is given and `name` is a generator call; unknown names become empty.
std::string expand_template(std::string_view text, const std::map<std::string, std::string>& variables,
                            ValueGenerator* generator = nullptr);
// The value at a simple JSON path ($.a.b, $.items[0].id) as text: strings unquoted, numbers and
// booleans as written. nullopt when the document or path does not match.
std::optional<std::string> extract_json_path(std::string_view json, std::string_view path);

class Session {
 public:
  // User `user_index` of `user_count` running `scenario`.
  Session(const Scenario& scenario, std::size_t user_index, std::size_t user_count, std::uint64_t seed);
  // Appends the next request's bytes to `out` and returns its index in scenario.endpoints.
  std::size_t next_request(std::string& out);
  void on_response(std::size_t endpoint, int status, std::string_view body);

 private:
  const Scenario& scenario_;
  std::size_t next_flow_step_ = 0;
  std::map<std::string, std::string> variables_;
  std::mt19937_64 random_;
  std::discrete_distribution<std::size_t> pick_;
  ValueGenerator generator_;
};

}  // namespace tachyon::loadgen
