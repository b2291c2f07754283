#include "tachyon/openapi/document.hpp"

#include <algorithm>
#include <cctype>
#include <map>
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
    parameters.push_back(
        {std::string(inner.substr(0, colon)), colon != std::string_view::npos && inner.substr(colon + 1) == "int"});
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

bool has_body(int status) {
  return status != 204 && status != 304 && status >= 200;
}

// A route that needs credentials. An undeclared route (a router that never went through
// make_standard_pipeline, which refuses them) is documented without any security information.
bool needs_credentials(const http::Route& route) {
  return route.metadata.access.level == http::RouteAccess::Level::authenticated ||
         route.metadata.access.level == http::RouteAccess::Level::scoped;
}

// The scopes the server knows, described for the OAuth Flow Object's `scopes` map.
const std::map<std::string, std::string, std::less<>>& known_scope_descriptions() {
  static const std::map<std::string, std::string, std::less<>> descriptions = {
      {"admin", "Administer the server: the admin and profiling routes"},
      {"audit:read", "Read the audit records"},
      {"orders:read", "Read orders"},
      {"orders:write", "Create, change and cancel orders"},
      {"products:read", "Read products"},
      {"products:write", "Create, change and delete products"},
      {"users:read", "Read users"},
      {"users:write", "Create, change and delete users"},
  };
  return descriptions;
}

std::string scope_description(const std::string& scope) {
  const auto& known = known_scope_descriptions();
  auto found = known.find(scope);
  return found == known.end() ? "Scope " + scope : found->second;
}

// Every scope any route requires, sorted so that the document does not depend on registration order.
std::set<std::string> used_scopes(const std::vector<const http::Route*>& routes) {
  std::set<std::string> scopes;
  for (const http::Route* route : routes) {
    if (route->metadata.access.level != http::RouteAccess::Level::scoped) continue;
    scopes.insert(route->metadata.access.scopes.begin(), route->metadata.access.scopes.end());
  }
  return scopes;
}

void write_requirement(JsonWriter& writer, std::string_view scheme, const std::vector<std::string>& scopes) {
  writer.begin_object();
  writer.key(scheme);
  writer.begin_array();
  for (const std::string& scope : scopes) writer.value(std::string_view(scope));
  writer.end_array();
  writer.end_object();
}

// The operation's `security`, a list of alternatives any one of which suffices (OpenAPI 3.1 §4.8.10.1
// Operation Object, §4.8.30 Security Requirement Object). A public route writes `security: []`, which
// says explicitly that no credentials are needed. A scoped route lists its scopes under oauth2 first;
// since 3.1 the array of any other scheme MAY carry role names too (§4.8.30.1), so a bearer JWT or an
// API key is documented as needing the same scopes, which is how the server checks them.
void write_security(JsonWriter& writer, const http::Route& route) {
  const http::RouteAccess& access = route.metadata.access;
  if (access.level == http::RouteAccess::Level::undeclared) return;
  writer.key("security");
  writer.begin_array();
  if (access.level == http::RouteAccess::Level::authenticated) {
    for (std::string_view scheme : {"bearerAuth", "apiKeyAuth", "oauth2"}) write_requirement(writer, scheme, {});
  } else if (access.level == http::RouteAccess::Level::scoped) {
    for (std::string_view scheme : {"oauth2", "bearerAuth", "apiKeyAuth"})
      write_requirement(writer, scheme, access.scopes);
  }
  writer.end_array();
}

// The Security Scheme Objects (OpenAPI 3.1 §4.8.27) the requirements above name: a JWT access token
// (RFC 9068) as a Bearer token (RFC 6750), an API key in X-API-Key (also accepted as a Bearer token, which
// bearerAuth covers), and the OAuth 2.0 token endpoint's password and client_credentials grants (§4.8.28
// OAuth Flows Object, §4.8.29 OAuth Flow Object, whose `scopes` map is required and may be empty). The
// token URL is a relative reference, resolved against the server (§4.7 Relative References in URLs).
void write_security_schemes(JsonWriter& writer, const std::vector<const http::Route*>& routes) {
  constexpr std::string_view token_url = "/v1/auth/token";
  std::set<std::string> scopes = used_scopes(routes);
  writer.key("securitySchemes");
  writer.begin_object();
  writer.key("bearerAuth");
  writer.begin_object();
  writer.field("type", "http");
  writer.field("scheme", "bearer");
  writer.field("bearerFormat", "JWT");
  writer.field("description", "A JWT access token (RFC 9068) from POST /v1/auth/token, or an API key (tch_...)");
  writer.end_object();
  writer.key("apiKeyAuth");
  writer.begin_object();
  writer.field("type", "apiKey");
  writer.field("in", "header");
  writer.field("name", "X-API-Key");
  writer.field("description", "An API key (tch_...)");
  writer.end_object();
  writer.key("oauth2");
  writer.begin_object();
  writer.field("type", "oauth2");
  writer.field("description", "Access tokens from the token endpoint; a refresh_token grant renews them");
  writer.key("flows");
  writer.begin_object();
  for (std::string_view flow : {"password", "clientCredentials"}) {
    writer.key(flow);
    writer.begin_object();
    writer.field("tokenUrl", token_url);
    // RFC 6749 §4.4.3: a client_credentials answer carries no refresh token, so only the password flow.
    if (flow == "password") writer.field("refreshUrl", token_url);
    writer.key("scopes");
    writer.begin_object();
    for (const std::string& scope : scopes) writer.field(scope, scope_description(scope));
    writer.end_object();
    writer.end_object();
  }
  writer.end_object();
  writer.end_object();
  writer.end_object();
}

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
  writer.field("description",
               response.description.empty() ? std::string(json::reason_phrase(response.status)) : response.description);
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
// JSON body (400 malformed, 415 wrong type, 422 invalid: see http/json_body.hpp) and, on a route that
// needs credentials, for access (401, 403: see auth/access_middleware.hpp); then `default` for every
// other error, all as RFC 9457 problem details.
void write_responses(JsonWriter& writer, const http::Route& route) {
  std::vector<http::ResponseDoc> responses = route.metadata.responses;
  bool declared_success = std::any_of(responses.begin(), responses.end(),
                                      [](const http::ResponseDoc& r) { return r.status >= 200 && r.status < 300; });
  if (!declared_success) {
    int status = default_success_status(route.method);
    // Without a response schema the body's type is unknown (it may be text): no `content` then.
    std::string content_type = route.metadata.response_schema ? "application/json" : "";
    responses.push_back(
        {status, std::string(json::reason_phrase(status)), route.metadata.response_schema, content_type});
  }
  for (http::ResponseDoc& response : responses) {
    if (response.status >= 200 && response.status < 300 && !response.schema)
      response.schema = route.metadata.response_schema;
  }
  if (route.metadata.request_schema) {
    for (int status : {400, 415, 422}) {
      bool declared = std::any_of(responses.begin(), responses.end(),
                                  [status](const http::ResponseDoc& r) { return r.status == status; });
      if (!declared) responses.push_back({status, std::string(json::reason_phrase(status)), {}});
    }
  }
  if (needs_credentials(route)) {
    using Documented = std::pair<int, std::string_view>;
    for (Documented credential : {Documented{401, "Missing or invalid credentials"},
                                  Documented{403, "Valid credentials without the needed scope"}}) {
      int status = credential.first;
      bool declared = std::any_of(responses.begin(), responses.end(),
                                  [status](const http::ResponseDoc& r) { return r.status == status; });
      if (!declared) responses.push_back({status, std::string(credential.second), {}});
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
  write_security(writer, route);
  writer.end_object();
}

// RFC 9457 problem details as every error response of the server writes them (json/problem.hpp), and
// the security schemes.
void write_components(JsonWriter& writer, const std::vector<const http::Route*>& routes) {
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
  write_security_schemes(writer, routes);
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
  write_components(writer, routes);
  writer.end_object();
  return document;
}

}  // namespace tachyon::openapi
