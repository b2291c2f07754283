#include "tachyon/loadgen/compare.hpp"

#include <simdjson.h>

#include <cstdio>
#include <vector>

#include "tachyon/loadgen/summary.hpp"

namespace tachyon::loadgen {
namespace {

struct Row {
  std::string label;
  std::vector<std::string> path;  // object keys from the root
  bool microseconds = false;
};

std::vector<Row> rows() {
  std::vector<Row> out = {
      {"req/s", {"rps"}}, {"requests", {"requests"}}, {"errors", {"errors"}}, {"error rate", {"error_rate"}}};
  for (double percentile : reported_percentiles()) {
    char key[32];
    std::snprintf(key, sizeof key, "p%g_us", percentile);
    char label[32];
    std::snprintf(label, sizeof label, "latency p%g", percentile);
    out.push_back({label, {"latency", key}, true});
  }
  out.push_back({"latency max", {"latency", "max_us"}, true});
  out.push_back({"generator CPU s", {"generator_cpu_s"}});
  return out;
}

std::optional<double> lookup(simdjson::dom::element root, const std::vector<std::string>& path) {
  simdjson::dom::element current = root;
  for (const std::string& key : path) {
    auto child = current[key];
    if (child.error()) return std::nullopt;
    current = child.value_unsafe();
  }
  double number = 0;
  if (current.is_double()) return current.get_double().value_unsafe();
  if (current.is_uint64()) return static_cast<double>(current.get_uint64().value_unsafe());
  if (current.is_int64()) return static_cast<double>(current.get_int64().value_unsafe());
  (void)number;
  return std::nullopt;
}

std::string format_value(double value, bool microseconds) {
  if (microseconds) return format_microseconds(value);
  char text[32];
  std::snprintf(text, sizeof text, value == static_cast<double>(static_cast<long long>(value)) ? "%.0f" : "%.4g",
                value);
  return text;
}

}  // namespace

std::optional<std::string> compare_summaries(std::string_view first_json, std::string_view second_json,
                                             std::string& error) {
  simdjson::dom::parser first_parser;
  simdjson::dom::parser second_parser;
  simdjson::padded_string first_text(first_json);
  simdjson::padded_string second_text(second_json);
  auto first = first_parser.parse(first_text);
  auto second = second_parser.parse(second_text);
  if (first.error() || second.error()) {
    error = "not a JSON document";
    return std::nullopt;
  }
  if (!lookup(first.value_unsafe(), {"rps"}) || !lookup(second.value_unsafe(), {"rps"})) {
    error = "not a `tachyon bench --json` summary (no \"rps\")";
    return std::nullopt;
  }
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-18s %14s %14s %10s\n", "metric", "A", "B", "B/A");
  out += line;
  for (const Row& row : rows()) {
    auto a = lookup(first.value_unsafe(), row.path);
    auto b = lookup(second.value_unsafe(), row.path);
    if (!a || !b) continue;
    std::string ratio = *a != 0 ? [&] {
      char text[32];
      std::snprintf(text, sizeof text, "%.3fx", *b / *a);
      return std::string(text);
    }()
                                : std::string("-");
    std::snprintf(line, sizeof line, "%-18s %14s %14s %10s\n", row.label.c_str(),
                  format_value(*a, row.microseconds).c_str(), format_value(*b, row.microseconds).c_str(),
                  ratio.c_str());
    out += line;
  }
  return out;
}

}  // namespace tachyon::loadgen
