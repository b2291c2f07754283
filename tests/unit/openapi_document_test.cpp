// The OpenAPI generator on routers built here: path templates, parameters, request bodies, responses
// and the shared Problem schema, checked by parsing the generated JSON.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "tachyon/http/router.hpp"
#include "tachyon/json/schema.hpp"
#include "tachyon/openapi/document.hpp"

namespace tachyon::openapi {
namespace {

boost::asio::awaitable<void> nothing(http::Context&) { co_return; }

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
  EXPECT_EQ(std::string_view(root["paths"]["/a"]["get"]["responses"]["default"]["$ref"]), "#/components/responses/Problem");
  EXPECT_EQ(std::string_view(root["paths"]["/b"]["post"]["responses"]["default"]["$ref"]), "#/components/responses/Problem");
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

TEST(OpenApiRouteBuilder, RejectsUnknownQueryParameterType) {
  http::Router router;
  EXPECT_THROW(router.get("/a", nothing).query_parameter("when", "date", "A day"), std::invalid_argument);
  EXPECT_THROW(router.get("/b", nothing).response(99, "Nope"), std::invalid_argument);
}

}  // namespace
}  // namespace tachyon::openapi
