#include "tachyon/json/problem.hpp"

#include "tachyon/json/status.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::json {

namespace {

void write_field_errors(JsonWriter& writer, const std::vector<FieldError>& errors) {
  writer.key("errors");
  writer.begin_array();
  for (const FieldError& error : errors) {
    writer.begin_object();
    writer.field("field", error.field);
    writer.field("message", error.message);
    writer.end_object();
  }
  writer.end_array();
}

void write_if_present(JsonWriter& writer, std::string_view name, std::string_view text) {
  if (!text.empty()) writer.field(name, text);
}

}  // namespace

void write_problem(std::string& out, const Problem& problem, std::string_view request_id) {
  JsonWriter writer(out);
  writer.begin_object();
  // RFC 9457 says a missing type means "about:blank"; writing it keeps clients from special-casing.
  writer.field("type", problem.type.empty() ? std::string_view("about:blank") : std::string_view(problem.type));
  writer.field("title", problem.title.empty() ? reason_phrase(problem.status) : std::string_view(problem.title));
  writer.field("status", problem.status);
  write_if_present(writer, "detail", problem.detail);
  write_if_present(writer, "instance", problem.instance);
  write_if_present(writer, "request_id", request_id);
  if (!problem.errors.empty()) write_field_errors(writer, problem.errors);
  writer.end_object();
}

void write_problem(std::string& out, const Problem& problem) {
  write_problem(out, problem, {});
}

}  // namespace tachyon::json
