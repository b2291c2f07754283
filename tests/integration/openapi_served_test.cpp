// GET /openapi.json and GET /docs from the real binary: the document passes a real OpenAPI 3.1
// validator from the npm registry (run with node), lists every route the server logs at start, and the
// docs page loads only same-origin assets that are served with the right types and cache headers.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <sys/wait.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace tachyon::testing {
namespace {

const std::filesystem::path web_directory =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "web";

// Validates `document` with web/validate-openapi.mjs (@seriousme/openapi-schema-validator).
struct CommandOutput {
  int exit_code = -1;
  std::string text;
};

CommandOutput validate_with_node(const std::string& document) {
  std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("tachyon-openapi-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file, std::ios::binary) << document;
  CommandOutput output;
  output.exit_code = run_shell(
      "node '" + (web_directory / "validate-openapi.mjs").string() + "' '" + file.string() + "'", output.text);
  std::filesystem::remove(file);
  return output;
}

// Every src="..." and href="..." value in `html`. (std::regex trips GCC 12's -Wmaybe-uninitialized under ASan.)
std::vector<std::string> referenced_urls(const std::string& html) {
  std::vector<std::string> urls;
  for (std::string_view attribute : {" src=\"", " href=\""}) {
    for (std::size_t at = html.find(attribute); at != std::string::npos; at = html.find(attribute, at + 1)) {
      std::size_t begin = at + attribute.size();
      urls.push_back(html.substr(begin, html.find('"', begin) - begin));
    }
  }
  return urls;
}

// "/v1/users/{id:int}" -> "/v1/users/{id}"
std::string untyped(std::string path) {
  for (std::size_t colon = path.find(':'); colon != std::string::npos; colon = path.find(':')) {
    path.erase(colon, path.find('}', colon) - colon);
  }
  return path;
}

class OpenApiServed : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static std::optional<HttpResponse> get(std::string_view path, std::string_view extra_headers = "") {
    return request(server_->port(), get_request(path, extra_headers));
  }
  static ServerProcess* server_;
};
ServerProcess* OpenApiServed::server_ = nullptr;

TEST_F(OpenApiServed, DocumentPassesAnOpenApi31Validator) {
  auto response = get("/openapi.json");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  EXPECT_EQ(response->header("content-type"), "application/json");
  CommandOutput validation = validate_with_node(response->body);
  EXPECT_EQ(validation.exit_code, 0) << validation.text;
  EXPECT_NE(validation.text.find("valid OpenAPI 3.1"), std::string::npos) << validation.text;
}

// Guards the test above: the validator must reject a broken document, or a pass would mean nothing.
TEST_F(OpenApiServed, ValidatorRejectsABrokenDocument) {
  auto response = get("/openapi.json");
  ASSERT_TRUE(response);
  std::string broken = response->body;
  std::size_t at = broken.find("\"openapi_document\"");
  ASSERT_NE(at, std::string::npos);
  broken.replace(at, std::string_view("\"openapi_document\"").size(), "42");  // operationId must be a string
  EXPECT_NE(validate_with_node(broken).exit_code, 0);
  EXPECT_NE(validate_with_node(R"({"openapi":"3.1.0","paths":{}})").exit_code, 0);  // no info
}

TEST_F(OpenApiServed, ListsEveryRouteTheServerServes) {
  auto response = get("/openapi.json");
  ASSERT_TRUE(response);
  simdjson::dom::parser document_parser;
  simdjson::dom::element document;
  ASSERT_EQ(document_parser.parse(response->body).get(document), simdjson::SUCCESS);
  // At start the binary logs one "route" line per registered route: every one must be documented.
  std::istringstream log(server_->output());
  std::string line;
  int routes = 0;
  simdjson::dom::parser line_parser;
  while (std::getline(log, line)) {
    simdjson::dom::element entry;
    if (line_parser.parse(line).get(entry) != simdjson::SUCCESS) continue;
    std::string_view message;
    if (entry["msg"].get(message) != simdjson::SUCCESS || message != "route") continue;
    std::string method{std::string_view(entry["method"])};
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string url{std::string_view(entry["url"])};
    std::string path = url.substr(url.find('/', url.find("//") + 2));
    std::string templated = untyped(path);
    EXPECT_EQ(document["paths"][templated][method].error(), simdjson::SUCCESS) << method << " " << path;
    ++routes;
  }
  EXPECT_GE(routes, 7);  // healthz, plaintext, json, greetings, openapi.json, docs, docs assets at least
  EXPECT_EQ(document["paths"]["/healthz"]["get"].error(), simdjson::SUCCESS);
  EXPECT_EQ(document["paths"]["/openapi.json"]["get"].error(), simdjson::SUCCESS);
  EXPECT_EQ(document["paths"]["/docs/{asset}"]["get"]["parameters"].at(0)["in"].get_string().value(), "path");
}

TEST_F(OpenApiServed, GreetingsPostDocumentsItsRequestBody) {
  auto response = get("/openapi.json");
  ASSERT_TRUE(response);
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  ASSERT_EQ(parser.parse(response->body).get(document), simdjson::SUCCESS);
  auto operation = document["paths"]["/v1/greetings"]["post"];
  EXPECT_EQ(std::string_view(operation["operationId"]), "create_greeting");
  auto schema = operation["requestBody"]["content"]["application/json"]["schema"];
  EXPECT_EQ(std::string_view(schema["properties"]["name"]["type"]), "string");
  EXPECT_EQ(schema["properties"]["count"]["maximum"].get_int64().value(), 100);
  EXPECT_EQ(std::string_view(operation["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"]),
            "#/components/schemas/Problem");
}

TEST_F(OpenApiServed, StrongEtagAnswers304WhenUnchanged) {
  auto first = get("/openapi.json");
  auto second = get("/openapi.json");
  ASSERT_TRUE(first && second);
  std::string etag = first->header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');  // strong: no W/ prefix
  EXPECT_EQ(second->header("etag"), etag);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(first->header("cache-control"), "no-cache");
  auto revalidated = get("/openapi.json", "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  EXPECT_TRUE(revalidated->body.empty());
  auto stale = get("/openapi.json", "If-None-Match: \"0000\"\r\n");
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 200);
  EXPECT_EQ(stale->body, first->body);
}

class DocsServed : public OpenApiServed {};

std::map<std::string, std::string> expected_types() {
  return {{".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"}, {".png", "image/png"}};
}

TEST_F(DocsServed, PageReferencesOnlySameOriginAssetsThatAreServed) {
  auto page = get("/docs");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  // The browser enforces it too: nothing may load from another origin.
  EXPECT_NE(page->header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << page->body;
  EXPECT_EQ(page->body.find("https://"), std::string::npos) << page->body;
  int scripts_and_styles = 0;
  for (const std::string& url : referenced_urls(page->body)) {
    ASSERT_TRUE(url.starts_with("/") && !url.starts_with("//")) << "not same-origin: " << url;
    auto asset = get(url);
    ASSERT_TRUE(asset) << url;
    EXPECT_EQ(asset->status, 200) << url;
    std::string path = url.substr(0, url.find('?'));
    std::string extension = path.substr(path.rfind('.'));
    EXPECT_EQ(asset->header("content-type"), expected_types()[extension]) << url;
    EXPECT_EQ(asset->header("cache-control"), "public, max-age=31536000, immutable") << url;
    EXPECT_FALSE(asset->body.empty()) << url;
    if (extension != ".png") ++scripts_and_styles;
  }
  EXPECT_EQ(scripts_and_styles, 3);  // Swagger UI's stylesheet and bundle, and the start script
}

TEST_F(DocsServed, StartScriptLoadsOnlyThisServersDocument) {
  auto page = get("/docs");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find(R"(data-openapi-url="/openapi.json")"), std::string::npos);
  std::string script_url;
  for (const std::string& url : referenced_urls(page->body)) {
    if (url.starts_with("/docs/docs-init.js")) script_url = url;
  }
  ASSERT_FALSE(script_url.empty()) << page->body;
  auto script = get(script_url);
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_NE(script->body.find("SwaggerUIBundle"), std::string::npos);
  EXPECT_NE(script->body.find("validatorUrl: null"), std::string::npos);
  EXPECT_EQ(script->body.find("http"), std::string::npos);
}

TEST_F(DocsServed, BundleIsServedWholeAndRevalidates) {
  std::string bundle;
  {
    std::ifstream input(web_directory / "node_modules/swagger-ui-dist/swagger-ui-bundle.js", std::ios::binary);
    bundle.assign(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bundle.size(), 100000u);
  auto response = get("/docs/swagger-ui-bundle.js");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body == bundle);
  auto revalidated = get("/docs/swagger-ui-bundle.js", "If-None-Match: " + response->header("etag") + "\r\n");
  ASSERT_TRUE(revalidated);
  EXPECT_EQ(revalidated->status, 304);
  EXPECT_TRUE(revalidated->body.empty());
}

TEST_F(DocsServed, SwaggerUiLicenceAndNoticeShipWithTheBinary) {
  auto licence = get("/docs/swagger-ui-LICENSE.txt");
  ASSERT_TRUE(licence);
  EXPECT_EQ(licence->status, 200);
  EXPECT_EQ(licence->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_NE(licence->body.find("Apache License"), std::string::npos);
  auto notice = get("/docs/swagger-ui-NOTICE.txt");
  ASSERT_TRUE(notice);
  EXPECT_EQ(notice->status, 200);
  EXPECT_FALSE(notice->body.empty());
  auto bundled = get("/docs/swagger-ui-bundle.js.LICENSE.txt");
  ASSERT_TRUE(bundled);
  EXPECT_EQ(bundled->status, 200);
}

TEST_F(DocsServed, UnknownAssetIsAProblem404) {
  for (const char* path : {"/docs/missing.js", "/docs/..%2fopenapi.json", "/docs/swagger-initializer.js"}) {
    auto response = get(path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_EQ(response->header("content-type"), "application/problem+json") << path;
  }
}

}  // namespace
}  // namespace tachyon::testing
