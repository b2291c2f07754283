#include "tachyon/openapi/document.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <utility>

#include "tachyon/json/status.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::openapi {

namespace {

using json::JsonWriter;

constexpr std::string_view problem_ref = "#/components/schemas/Problem";
constexpr std::string_view problem_type = "application/problem+json";

struct PathParameter {
  std::string name;
  bool integer = false;
};

// The {name} or {name:type} segments of a router template, in order.
std::vector<PathParameter> path_parameters(std::string_view path_template) {
  std::vector<PathParameter> parameters;
  std::size_t open = path_template.find('{');
  while (open != std::string_view::npos) {
    std::size_t close = path_template.find('}', open);
    if (close == std::string_view::npos) break;
    std::string_view inner = path_template.substr(open + 1, close - open - 1);
    std::size_t colon = inner.find(':');
    parameters.push_back({std::string(inner.substr(0, colon)),
                          colon != std::string_view::npos && inner.substr(colon + 1) == "int"});
    open = path_template.find('{', close);
  }
  return parameters;
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::tolower(c); });
  return result;
}

bool identifier_like(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
}

// A route left with the router's default name ("GET /v1/x/{id:int}") gets "get_v1_x_id".
std::string operation_id(const http::Route& route) {
  if (identifier_like(route.metadata.name)) return route.metadata.name;
  std::string id;
  for (unsigned char c : lower(route.metadata.name)) {
    if (std::isalnum(c)) {
      id += static_cast<char>(c);
    } else if (!id.empty() && id.back() != '_') {
      id += '_';
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id;
}

int default_success_status(http::Method method) {
  if (method == http::Method::post) return 201;
  if (method == http::Method::delete_) return 204;
  return 200;
}

bool has_body(int status) { return status != 204 && status != 304 && status >= 200; }

void write_problem_content(JsonWriter& writer) {
  writer.key("content");
  writer.begin_object();
  writer.key(problem_type);
  writer.begin_object();
  writer.key("schema");
  writer.begin_object();
  writer.field("$ref", problem_ref);
  writer.end_object();
  writer.end_object();
  writer.end_object();
}

void write_response(JsonWriter& writer, const http::ResponseDoc& response) {
  writer.key(std::to_string(response.status));
  writer.begin_object();
  writer.field("description", response.description.empty() ? std::string(json::reason_phrase(response.status))
                                                             : response.description);
  if (response.status >= 400 && !response.schema) {
    write_problem_content(writer);
  } else if (has_body(response.status) && !response.content_type.empty()) {
    writer.key("content");
    writer.begin_object();
    writer.key(response.content_type);
    writer.begin_object();
    if (response.schema) {
      writer.key("schema");
      response.schema(writer);
    }
    writer.end_object();
    writer.end_object();
  }
  writer.end_object();
}

// Declared responses, else the method's usual success; then what the framework itself answers for a
// JSON body (400 malformed, 415 wrong type, 422 invalid: see http/json_body.hpp), then `default` for
// every other error, all as RFC 9457 problem details.
void write_responses(JsonWriter& writer, const http::Route& route) {
  std::vector<http::ResponseDoc> responses = route.metadata.responses;
  bool declared_success = std::any_of(responses.begin(), responses.end(),
                                      [](const http::ResponseDoc& r) { return r.status >= 200 && r.status < 300; });
  if (!declared_success) {
    int status = default_success_status(route.method);
    // Without a response schema the body's type is unknown (it may be text): no `content` then.
    std::string content_type = route.metadata.response_schema ? "application/json" : "";
    responses.push_back({status, std::string(json::reason_phrase(status)), route.metadata.response_schema, content_type});
  }
  for (http::ResponseDoc& response : responses) {
    if (response.status >= 200 && response.status < 300 && !response.schema) response.schema = route.metadata.response_schema;
  }
  if (route.metadata.request_schema) {
    for (int status : {400, 415, 422}) {
      bool declared = std::any_of(responses.begin(), responses.end(),
                                  [status](const http::ResponseDoc& r) { return r.status == status; });
      if (!declared) responses.push_back({status, std::string(json::reason_phrase(status)), {}});
    }
  }
  std::stable_sort(responses.begin(), responses.end(),
                   [](const http::ResponseDoc& a, const http::ResponseDoc& b) { return a.status < b.status; });
  writer.key("responses");
  writer.begin_object();
  for (const http::ResponseDoc& response : responses) write_response(writer, response);
  writer.key("default");
  writer.begin_object();
  writer.field("$ref", "#/components/responses/Problem");
  writer.end_object();
  writer.end_object();
}

void write_parameters(JsonWriter& writer, const http::Route& route) {
  std::vector<PathParameter> in_path = path_parameters(route.path_template);
  if (in_path.empty() && route.metadata.parameters.empty()) return;
  writer.key("parameters");
  writer.begin_array();
  for (const PathParameter& parameter : in_path) {
    writer.begin_object();
    writer.field("name", parameter.name);
    writer.field("in", "path");
    writer.field("required", true);
    writer.key("schema");
    writer.begin_object();
    writer.field("type", parameter.integer ? "integer" : "string");
    if (parameter.integer) writer.field("format", "int64");
    writer.end_object();
    writer.end_object();
  }
  for (const http::QueryParameter& parameter : route.metadata.parameters) {
    writer.begin_object();
    writer.field("name", parameter.name);
    writer.field("in", "query");
    if (!parameter.description.empty()) writer.field("description", parameter.description);
    writer.field("required", parameter.required);
    writer.key("schema");
    writer.begin_object();
    writer.field("type", parameter.type);
    if (parameter.type == "integer") writer.field("format", "int64");
    writer.end_object();
    writer.end_object();
  }
  writer.end_array();
}

void write_request_body(JsonWriter& writer, const http::Route& route) {
  if (!route.metadata.request_schema) return;
  writer.key("requestBody");
  writer.begin_object();
  writer.field("required", true);
  writer.key("content");
  writer.begin_object();
  writer.key("application/json");
  writer.begin_object();
  writer.key("schema");
  route.metadata.request_schema(writer);
  writer.end_object();
  writer.end_object();
  writer.end_object();
}

void write_operation(JsonWriter& writer, const http::Route& route) {
  writer.key(lower(http::method_name(route.method)));
  writer.begin_object();
  writer.field("operationId", operation_id(route));
  if (!route.metadata.summary.empty()) writer.field("summary", route.metadata.summary);
  if (!route.metadata.tags.empty()) {
    writer.key("tags");
    writer.begin_array();
    for (const std::string& tag : route.metadata.tags) writer.value(std::string_view(tag));
    writer.end_array();
  }
  write_parameters(writer, route);
  write_request_body(writer, route);
  write_responses(writer, route);
  writer.end_object();
}

// RFC 9457 problem details as every error response of the server writes them (json/problem.hpp).
void write_components(JsonWriter& writer) {
  writer.key("components");
  writer.begin_object();
  writer.key("schemas");
  writer.raw(R"j({"Problem":{"type":"object","description":"RFC 9457 problem details",)j"
             R"j("properties":{"type":{"type":"string","format":"uri-reference"},"title":{"type":"string"},)j"
             R"j("status":{"type":"integer","minimum":100,"maximum":599},"detail":{"type":"string"},)j"
             R"j("instance":{"type":"string","format":"uri-reference"},"request_id":{"type":"string"},)j"
             R"j("errors":{"type":"array","description":"Every failing field (validation errors only)",)j"
             R"j("items":{"$ref":"#/components/schemas/FieldError"}}},"required":["type","title","status"]},)j"
             R"j("FieldError":{"type":"object","properties":{"field":{"type":"string",)j"
             R"j("description":"Path of the field, e.g. items[0].quantity; empty for the whole body"},)j"
             R"j("message":{"type":"string"}},"required":["field","message"]}})j");
  writer.key("responses");
  writer.raw(R"j({"Problem":{"description":"An error, as RFC 9457 problem details",)j"
             R"j("content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}})j");
  writer.end_object();
}

}  // namespace

std::string openapi_path(std::string_view path_template) {
  std::string path;
  path.reserve(path_template.size());
  bool in_parameter = false;
  bool in_type = false;  // after the ':' of "{id:int}", up to the '}'
  for (char c : path_template) {
    if (c == '{') in_parameter = true;
    if (c == '}') in_parameter = in_type = false;
    if (in_parameter && c == ':') in_type = true;
    if (!in_type) path += c;
  }
  return path;
}

std::string generate_document(const std::vector<const http::Route*>& routes, const DocumentInfo& info) {
  std::set<std::string> operation_ids;
  std::vector<std::pair<std::string, std::vector<const http::Route*>>> paths;  // first-seen order
  for (const http::Route* route : routes) {
    if (!operation_ids.insert(operation_id(*route)).second) {
      throw std::invalid_argument("two routes share the name " + operation_id(*route) +
                                  ": OpenAPI operationIds must be unique");
    }
    std::string path = openapi_path(route->path_template);
    auto found = std::find_if(paths.begin(), paths.end(), [&](const auto& entry) { return entry.first == path; });
    if (found == paths.end()) {
      paths.emplace_back(std::move(path), std::vector<const http::Route*>{route});
    } else {
      found->second.push_back(route);
    }
  }
  std::string document;
  JsonWriter writer(document);
  writer.begin_object();
  writer.field("openapi", "3.1.0");
  writer.key("info");
  writer.begin_object();
  writer.field("title", info.title);
  writer.field("version", info.version);
  if (!info.description.empty()) writer.field("description", info.description);
  writer.end_object();
  writer.key("paths");
  writer.begin_object();
  for (const auto& [path, path_routes] : paths) {
    writer.key(path);
    writer.begin_object();
    for (const http::Route* route : path_routes) write_operation(writer, *route);
    writer.end_object();
  }
  writer.end_object();
  write_components(writer);
  writer.end_object();
  return document;
}

}  // namespace tachyon::openapi
