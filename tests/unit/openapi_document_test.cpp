// The OpenAPI generator on routers built here: path templates, parameters, request bodies, responses,
// the shared Problem schema and the security declarations, checked by parsing the generated JSON.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/http/router.hpp"
#include "tachyon/json/schema.hpp"
#include "tachyon/openapi/document.hpp"

namespace tachyon::openapi {
namespace {

boost::asio::awaitable<void> nothing(http::Context&) {
  co_return;
}

struct Widget {
  std::string label;
  std::int64_t size = 0;
};

const json::ObjectSchema<Widget>& widget_schema() {
  static const json::ObjectSchema<Widget> schema = json::ObjectSchema<Widget>("Widget")
                                                       .string("label", &Widget::label, {.min_length = 1})
                                                       .integer("size", &Widget::size, {.minimum = 0});
  return schema;
}

class OpenApiDocument : public ::testing::Test {
 protected:
  simdjson::dom::element generate() {
    text_ = generate_document(router_.routes(), DocumentInfo{});
    simdjson::dom::element root;
    EXPECT_EQ(parser_.parse(text_).get(root), simdjson::SUCCESS) << text_;
    return root;
  }
  static bool has(simdjson::simdjson_result<simdjson::dom::element> object, std::string_view key) {
    return object[key].error() == simdjson::SUCCESS;
  }
  // One Security Requirement Object as "scheme:scope,scope", e.g. "oauth2:orders:read".
  static std::vector<std::string> requirements(simdjson::simdjson_result<simdjson::dom::element> security) {
    std::vector<std::string> written;
    for (simdjson::dom::element requirement : security.get_array()) {
      for (auto [scheme, scopes] : requirement.get_object()) {
        std::string text(scheme);
        text += ':';
        for (simdjson::dom::element scope : scopes.get_array()) {
          if (text.back() != ':') text += ',';
          text += std::string_view(scope);
        }
        written.push_back(text);
      }
    }
    return written;
  }

  http::Router router_;
  std::string text_;
  simdjson::dom::parser parser_;
};

TEST(OpenApiPath, DropsParameterTypes) {
  EXPECT_EQ(openapi_path("/v1/users/{id:int}/orders"), "/v1/users/{id}/orders");
  EXPECT_EQ(openapi_path("/a/{x:str}/b/{y:int}"), "/a/{x}/b/{y}");
  EXPECT_EQ(openapi_path("/files/{name}"), "/files/{name}");
  EXPECT_EQ(openapi_path("/healthz"), "/healthz");
  EXPECT_EQ(openapi_path("/"), "/");
}

TEST_F(OpenApiDocument, HeaderFieldsAndVersionFromTheBuild) {
  auto root = generate();
  EXPECT_EQ(std::string_view(root["openapi"]), "3.1.0");
  EXPECT_EQ(std::string_view(root["info"]["version"]), TACHYON_VERSION);
  EXPECT_FALSE(std::string_view(root["info"]["title"]).empty());
}

TEST_F(OpenApiDocument, ListsEveryRouteUnderItsPathAndMethod) {
  router_.get("/v1/things", nothing).name("list_things");
  router_.post("/v1/things", nothing).name("create_thing");
  router_.get("/v1/things/{id:int}", nothing).name("get_thing");
  router_.patch("/v1/things/{id:int}", nothing).name("update_thing");
  router_.del("/v1/things/{id:int}", nothing).name("delete_thing");
  router_.put("/v1/files/{name}", nothing).name("put_file");
  auto paths = generate()["paths"];
  EXPECT_EQ(paths.get_object().size(), 3u);
  for (const http::Route* route : router_.routes()) {
    std::string method(http::method_name(route->method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto operation = paths[openapi_path(route->path_template)][method];
    ASSERT_EQ(operation.error(), simdjson::SUCCESS) << method << " " << route->path_template;
    EXPECT_EQ(std::string_view(operation["operationId"]), route->metadata.name);
  }
}

TEST_F(OpenApiDocument, IntegerPathParameterIsInt64) {
  router_.get("/v1/users/{id:int}/orders", nothing).name("user_orders");
  auto parameters = generate()["paths"]["/v1/users/{id}/orders"]["get"]["parameters"].get_array();
  ASSERT_EQ(parameters.size(), 1u);
  auto parameter = parameters.at(0);
  EXPECT_EQ(std::string_view(parameter["name"]), "id");
  EXPECT_EQ(std::string_view(parameter["in"]), "path");
  EXPECT_TRUE(bool(parameter["required"]));
  EXPECT_EQ(std::string_view(parameter["schema"]["type"]), "integer");
  EXPECT_EQ(std::string_view(parameter["schema"]["format"]), "int64");
}

TEST_F(OpenApiDocument, UntypedPathParameterIsString) {
  router_.get("/files/{name}", nothing).name("file");
  auto parameter = generate()["paths"]["/files/{name}"]["get"]["parameters"].at(0);
  EXPECT_EQ(std::string_view(parameter["name"]), "name");
  EXPECT_EQ(std::string_view(parameter["schema"]["type"]), "string");
  EXPECT_FALSE(has(parameter["schema"], "format"));
}

TEST_F(OpenApiDocument, DeclaredQueryParametersFollowPathParameters) {
  router_.get("/v1/users/{id:int}/orders", nothing)
      .name("user_orders")
      .query_parameter("limit", "integer", "Page size, 1..100", false)
      .query_parameter("status", "string", "Only orders in this status", true);
  auto parameters = generate()["paths"]["/v1/users/{id}/orders"]["get"]["parameters"].get_array();
  ASSERT_EQ(parameters.size(), 3u);
  auto limit = parameters.at(1);
  EXPECT_EQ(std::string_view(limit["name"]), "limit");
  EXPECT_EQ(std::string_view(limit["in"]), "query");
  EXPECT_EQ(std::string_view(limit["description"]), "Page size, 1..100");
  EXPECT_FALSE(bool(limit["required"]));
  EXPECT_EQ(std::string_view(limit["schema"]["type"]), "integer");
  auto status = parameters.at(2);
  EXPECT_TRUE(bool(status["required"]));
  EXPECT_EQ(std::string_view(status["schema"]["type"]), "string");
}

TEST_F(OpenApiDocument, RouteWithoutParametersHasNoParameterList) {
  router_.get("/healthz", nothing).name("healthz");
  EXPECT_FALSE(has(generate()["paths"]["/healthz"]["get"], "parameters"));
}

TEST_F(OpenApiDocument, RequestBodyComesFromTheRequestSchema) {
  router_.post("/v1/widgets", nothing).name("create_widget").request_schema([](json::JsonWriter& writer) {
    widget_schema().write_json_schema(writer);
  });
  auto operation = generate()["paths"]["/v1/widgets"]["post"];
  auto body = operation["requestBody"];
  EXPECT_TRUE(bool(body["required"]));
  auto schema = body["content"]["application/json"]["schema"];
  EXPECT_EQ(std::string_view(schema["title"]), "Widget");
  EXPECT_EQ(std::string_view(schema["properties"]["size"]["type"]), "integer");
  EXPECT_EQ(schema["properties"]["size"]["minimum"].get_int64().value(), 0);
  // A typed body can fail as malformed JSON, wrong content type or invalid fields: all documented.
  for (const char* status : {"400", "415", "422"}) {
    EXPECT_EQ(std::string_view(operation["responses"][status]["content"]["application/problem+json"]["schema"]["$ref"]),
              "#/components/schemas/Problem")
        << status;
  }
}

TEST_F(OpenApiDocument, RouteWithoutBodyHasNoRequestBody) {
  router_.get("/v1/widgets", nothing).name("list_widgets");
  auto operation = generate()["paths"]["/v1/widgets"]["get"];
  EXPECT_FALSE(has(operation, "requestBody"));
  EXPECT_FALSE(has(operation["responses"], "422"));
}

TEST_F(OpenApiDocument, SuccessStatusFollowsTheMethodUnlessDeclared) {
  router_.get("/a", nothing).name("get_a");
  router_.post("/a", nothing).name("post_a");
  router_.del("/a", nothing).name("delete_a");
  router_.post("/a/cancel", nothing).name("cancel_a").response(200, "Cancelled");
  auto paths = generate()["paths"];
  EXPECT_TRUE(has(paths["/a"]["get"]["responses"], "200"));
  EXPECT_TRUE(has(paths["/a"]["post"]["responses"], "201"));
  EXPECT_TRUE(has(paths["/a"]["delete"]["responses"], "204"));
  EXPECT_FALSE(has(paths["/a"]["delete"]["responses"]["204"], "content"));
  auto cancel = paths["/a/cancel"]["post"]["responses"];
  EXPECT_EQ(std::string_view(cancel["200"]["description"]), "Cancelled");
  EXPECT_FALSE(has(cancel, "201"));
}

TEST_F(OpenApiDocument, ResponseSchemaDescribesTheSuccessBody) {
  router_.get("/v1/widgets/{id:int}", nothing).name("get_widget").response_schema([](json::JsonWriter& writer) {
    widget_schema().write_json_schema(writer);
  });
  auto ok = generate()["paths"]["/v1/widgets/{id}"]["get"]["responses"]["200"];
  EXPECT_EQ(std::string_view(ok["content"]["application/json"]["schema"]["title"]), "Widget");
}

TEST_F(OpenApiDocument, DeclaredErrorResponsesAreProblemDetails) {
  router_.get("/v1/widgets/{id:int}", nothing).name("get_widget").response(404, "No such widget");
  auto missing = generate()["paths"]["/v1/widgets/{id}"]["get"]["responses"]["404"];
  EXPECT_EQ(std::string_view(missing["description"]), "No such widget");
  EXPECT_EQ(std::string_view(missing["content"]["application/problem+json"]["schema"]["$ref"]),
            "#/components/schemas/Problem");
}

TEST_F(OpenApiDocument, EveryOperationHasADefaultProblemResponse) {
  router_.get("/a", nothing).name("get_a");
  router_.post("/b", nothing).name("post_b");
  auto root = generate();
  EXPECT_EQ(std::string_view(root["paths"]["/a"]["get"]["responses"]["default"]["$ref"]),
            "#/components/responses/Problem");
  EXPECT_EQ(std::string_view(root["paths"]["/b"]["post"]["responses"]["default"]["$ref"]),
            "#/components/responses/Problem");
  auto problem = root["components"]["schemas"]["Problem"];
  EXPECT_EQ(std::string_view(problem["properties"]["status"]["type"]), "integer");
  EXPECT_EQ(std::string_view(problem["properties"]["errors"]["items"]["$ref"]), "#/components/schemas/FieldError");
  EXPECT_TRUE(has(root["components"]["schemas"]["FieldError"]["properties"], "field"));
  EXPECT_TRUE(has(root["components"]["responses"]["Problem"]["content"], "application/problem+json"));
}

TEST_F(OpenApiDocument, SummaryAndTagsAreCopied) {
  router_.get("/v1/users", nothing).name("list_users").summary("Lists users").tags({"users"});
  auto operation = generate()["paths"]["/v1/users"]["get"];
  EXPECT_EQ(std::string_view(operation["summary"]), "Lists users");
  EXPECT_EQ(std::string_view(operation["tags"].at(0)), "users");
}

TEST_F(OpenApiDocument, UnnamedRouteGetsAnIdentifierOperationId) {
  router_.get("/v1/things/{id:int}", nothing);  // the router's default name is "GET /v1/things/{id:int}"
  auto operation = generate()["paths"]["/v1/things/{id}"]["get"];
  EXPECT_EQ(std::string_view(operation["operationId"]), "get_v1_things_id_int");
}

TEST_F(OpenApiDocument, DuplicateNamesAreRejected) {
  router_.get("/a", nothing).name("same");
  router_.get("/b", nothing).name("same");
  EXPECT_THROW(generate_document(router_.routes(), DocumentInfo{}), std::invalid_argument);
}

TEST_F(OpenApiDocument, PublicRouteHasAnEmptySecurityList) {
  router_.get("/healthz", nothing).name("healthz").public_access();
  auto security = generate()["paths"]["/healthz"]["get"]["security"];
  ASSERT_EQ(security.error(), simdjson::SUCCESS) << text_;
  EXPECT_EQ(security.get_array().size(), 0u);
}

TEST_F(OpenApiDocument, AuthenticatedRouteAcceptsBearerApiKeyOrOauth2) {
  router_.get("/v1/me", nothing).name("me").authenticated();
  EXPECT_EQ(requirements(generate()["paths"]["/v1/me"]["get"]["security"]),
            (std::vector<std::string>{"bearerAuth:", "apiKeyAuth:", "oauth2:"}));
}

TEST_F(OpenApiDocument, ScopedRouteListsItsScopesUnderOauth2FirstAndAsRolesOnTheOthers) {
  router_.post("/v1/orders", nothing).name("create_order").requires_scopes({"orders:write", "products:read"});
  EXPECT_EQ(requirements(generate()["paths"]["/v1/orders"]["post"]["security"]),
            (std::vector<std::string>{"oauth2:orders:write,products:read", "bearerAuth:orders:write,products:read",
                                      "apiKeyAuth:orders:write,products:read"}));
}

TEST_F(OpenApiDocument, UndeclaredRouteHasNoSecurity) {
  router_.get("/a", nothing).name("get_a");
  EXPECT_FALSE(has(generate()["paths"]["/a"]["get"], "security"));
}

TEST_F(OpenApiDocument, SecuritySchemesAreBearerJwtApiKeyHeaderAndOauth2) {
  auto schemes = generate()["components"]["securitySchemes"];
  EXPECT_EQ(std::string_view(schemes["bearerAuth"]["type"]), "http");
  EXPECT_EQ(std::string_view(schemes["bearerAuth"]["scheme"]), "bearer");
  EXPECT_EQ(std::string_view(schemes["bearerAuth"]["bearerFormat"]), "JWT");
  EXPECT_EQ(std::string_view(schemes["apiKeyAuth"]["type"]), "apiKey");
  EXPECT_EQ(std::string_view(schemes["apiKeyAuth"]["in"]), "header");
  EXPECT_EQ(std::string_view(schemes["apiKeyAuth"]["name"]), "X-API-Key");
  EXPECT_EQ(std::string_view(schemes["oauth2"]["type"]), "oauth2");
  for (const char* flow : {"password", "clientCredentials"}) {
    EXPECT_EQ(std::string_view(schemes["oauth2"]["flows"][flow]["tokenUrl"]), "/v1/auth/token") << flow;
    // No route needs a scope here: the map is required, and empty.
    EXPECT_EQ(schemes["oauth2"]["flows"][flow]["scopes"].get_object().size(), 0u) << flow;
  }
}

TEST_F(OpenApiDocument, OauthFlowsListEveryScopeUsedByAnyRouteWithADescription) {
  router_.get("/v1/orders", nothing).name("list_orders").requires_scopes({"orders:read"});
  router_.post("/v1/orders", nothing).name("create_order").requires_scopes({"orders:write", "orders:read"});
  router_.get("/v1/reports", nothing).name("reports").requires_scopes({"reports:read"});
  router_.get("/v1/me", nothing).name("me").authenticated();
  auto flows = generate()["components"]["securitySchemes"]["oauth2"]["flows"];
  for (const char* flow : {"password", "clientCredentials"}) {
    auto scopes = flows[flow]["scopes"];
    std::vector<std::string> names;
    for (auto [name, description] : scopes.get_object()) {
      names.emplace_back(name);
      EXPECT_FALSE(std::string_view(description).empty()) << name;
    }
    EXPECT_EQ(names, (std::vector<std::string>{"orders:read", "orders:write", "reports:read"})) << flow;
    EXPECT_EQ(std::string_view(scopes["orders:read"]), "Read orders");
    EXPECT_EQ(std::string_view(scopes["reports:read"]), "Scope reports:read");
  }
}

TEST_F(OpenApiDocument, CredentialResponsesAppearOnlyOnOperationsThatNeedCredentials) {
  router_.get("/healthz", nothing).name("healthz").public_access();
  router_.get("/v1/me", nothing).name("me").authenticated();
  router_.get("/v1/orders", nothing).name("list_orders").requires_scopes({"orders:read"});
  router_.get("/a", nothing).name("get_a");
  auto paths = generate()["paths"];
  for (const char* status : {"401", "403"}) {
    EXPECT_FALSE(has(paths["/healthz"]["get"]["responses"], status)) << status;
    EXPECT_FALSE(has(paths["/a"]["get"]["responses"], status)) << status;
    for (const char* path : {"/v1/me", "/v1/orders"}) {
      auto response = paths[path]["get"]["responses"][status];
      EXPECT_EQ(std::string_view(response["content"]["application/problem+json"]["schema"]["$ref"]),
                "#/components/schemas/Problem")
          << path << " " << status;
    }
  }
  EXPECT_EQ(std::string_view(paths["/v1/me"]["get"]["responses"]["401"]["description"]),
            "Missing or invalid credentials");
  EXPECT_EQ(std::string_view(paths["/v1/orders"]["get"]["responses"]["403"]["description"]),
            "Valid credentials without the needed scope");
}

TEST_F(OpenApiDocument, CredentialResponsesTheRouteDocumentsItselfAreKept) {
  router_.get("/v1/orders/{id:int}", nothing)
      .name("get_order")
      .requires_scopes({"orders:read"})
      .response(403, "Not your order");
  auto responses = generate()["paths"]["/v1/orders/{id}"]["get"]["responses"];
  EXPECT_EQ(std::string_view(responses["403"]["description"]), "Not your order");
  EXPECT_EQ(std::string_view(responses["401"]["description"]), "Missing or invalid credentials");
}

TEST_F(OpenApiDocument, SecurityDoesNotDependOnRouteRegistrationOrder) {
  router_.get("/b", nothing).name("get_b").requires_scopes({"users:read"});
  router_.get("/a", nothing).name("get_a").requires_scopes({"admin"});
  auto scopes = generate()["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["scopes"];
  std::vector<std::string> names;
  for (auto [name, description] : scopes.get_object()) names.emplace_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"admin", "users:read"}));
  std::string first = text_;
  EXPECT_EQ(generate_document(router_.routes(), DocumentInfo{}), first);
}

// With TACHYON_OPENAPI_DOCUMENT naming a file, writes a document with every kind of access there, for
// `node web/validate-openapi.mjs <file>` (the unit tests themselves do not run node).
TEST_F(OpenApiDocument, WritesADocumentWithEveryAccessKindForTheValidator) {
  const char* file = std::getenv("TACHYON_OPENAPI_DOCUMENT");
  if (file == nullptr) GTEST_SKIP() << "TACHYON_OPENAPI_DOCUMENT is not set";
  router_.get("/healthz", nothing).name("healthz").public_access();
  router_.get("/v1/me", nothing).name("me").authenticated().response_schema([](json::JsonWriter& writer) {
    widget_schema().write_json_schema(writer);
  });
  router_.post("/v1/widgets", nothing)
      .name("create_widget")
      .requires_scopes({"products:write", "reports:read"})
      .request_schema([](json::JsonWriter& writer) { widget_schema().write_json_schema(writer); });
  router_.get("/v1/widgets/{id:int}", nothing)
      .name("get_widget")
      .requires_scopes({"products:read"})
      .response(404, "No such widget");
  router_.post("/admin/cache/clear", nothing).name("clear_cache").requires_scopes({"admin"}).loopback_only();
  router_.get("/undeclared", nothing).name("undeclared");
  generate();
  std::ofstream(file, std::ios::binary) << text_;
}

TEST(OpenApiRouteBuilder, RejectsUnknownQueryParameterType) {
  http::Router router;
  EXPECT_THROW(router.get("/a", nothing).query_parameter("when", "date", "A day"), std::invalid_argument);
  EXPECT_THROW(router.get("/b", nothing).response(99, "Nope"), std::invalid_argument);
}

}  // namespace
}  // namespace tachyon::openapi
