#include "tachyon/openapi/docs_routes.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "tachyon/http/errors.hpp"
#include "tachyon/http/etag.hpp"
#include "tachyon/http/static_body.hpp"
#include "tachyon/json/writer.hpp"
#include "tachyon/openapi/assets.hpp"

namespace tachyon::openapi {

namespace {

namespace asio = boost::asio;

// Asset URLs carry their content hash, so a changed asset gets a new URL and the old one can be
// cached for a year without revalidation (RFC 8246 `immutable`).
constexpr std::string_view asset_cache_control = "public, max-age=31536000, immutable";
// The document and page change with each deployment at the same URL: revalidate (a cheap 304).
constexpr std::string_view page_cache_control = "no-cache";
// The browser itself refuses anything from another origin (scripts, styles, fetches, fonts). Swagger UI
// needs inline styles (React style attributes) and data: images (its SVG icons), nothing more.
constexpr std::string_view page_security_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'";

struct DocsState {
  std::optional<http::StaticBody> document;
  std::optional<http::StaticBody> page;
  std::unordered_map<std::string_view, http::StaticBody> assets;
};

std::string escape_html(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string asset_url(std::string_view name) {
  const DocsAsset* asset = find_docs_asset(name);
  if (asset == nullptr) throw std::logic_error("docs asset not embedded: " + std::string(name));
  std::string etag = http::strong_etag(asset->bytes);
  return "/docs/" + std::string(name) + "?v=" + etag.substr(1, 12);
}

void serve(http::Context& context, const http::StaticBody& body, std::string_view cache_control) {
  context.response.add_header("Cache-Control", cache_control);
  body.serve(context);
}

}  // namespace

std::string docs_page_html(std::string_view title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>" +
         escape_html(title) +
         " - API documentation</title>\n"
         "<link rel=\"stylesheet\" href=\"" +
         asset_url("swagger-ui.css") +
         "\">\n"
         "<link rel=\"icon\" type=\"image/png\" href=\"" +
         asset_url("favicon-32x32.png") +
         "\">\n"
         "</head>\n<body>\n<div id=\"swagger-ui\" data-openapi-url=\"/openapi.json\"></div>\n"
         "<script src=\"" +
         asset_url("swagger-ui-bundle.js") +
         "\"></script>\n"
         "<script src=\"" +
         asset_url("docs-init.js") +
         "\"></script>\n"
         "</body>\n</html>\n";
}

void add_docs_routes(http::Router& router, DocumentInfo info) {
  auto state = std::make_shared<DocsState>();
  router
      .get("/openapi.json",
           [state](http::Context& context) -> asio::awaitable<void> {
             serve(context, *state->document, page_cache_control);
             co_return;
           })
      .name("openapi_document")
      .public_access()
      .cors(http::CorsMode::any_origin)  // other sites' API tools may read the document
      .summary("This OpenAPI 3.1 document")
      .tags({"docs"})
      .response(200, "The OpenAPI document",
                [](json::JsonWriter& writer) {
                  writer.begin_object();
                  writer.field("type", "object");
                  writer.end_object();
                })
      .response(304, "Not modified since the ETag in If-None-Match");
  router
      .get("/docs",
           [state](http::Context& context) -> asio::awaitable<void> {
             serve(context, *state->page, page_cache_control);
             co_return;
           })
      .name("docs_page")
      .public_access()
      .content_security_policy(std::string(page_security_policy))
      .summary("Interactive API documentation (Swagger UI)")
      .tags({"docs"})
      .response(200, "The HTML page", {}, "text/html")
      .response(304, "Not modified since the ETag in If-None-Match");
  router
      .get("/docs/{asset}",
           [state](http::Context& context) -> asio::awaitable<void> {
             auto asset = state->assets.find(context.params.text("asset"));
             if (asset == state->assets.end()) throw http::HttpError(404, "No such documentation asset");
             serve(context, asset->second, asset_cache_control);
             co_return;
           })
      .name("docs_asset")
      .public_access()
      .summary("A static file of the documentation page, cacheable for a year")
      .tags({"docs"})
      .response(200, "The file", {}, "application/octet-stream")
      .response(304, "Not modified since the ETag in If-None-Match")
      .response(404, "No such file");

  compress::CompressionLevels levels;
  state->document.emplace(
      http::StaticBody::rendered("application/json", generate_document(router.routes(), info), levels));
  state->page.emplace(http::StaticBody::rendered("text/html; charset=utf-8", docs_page_html(info.title), levels));
  for (const DocsAsset& asset : docs_assets()) {
    state->assets.emplace(asset.name,
                          http::StaticBody::embedded(asset.content_type, asset.bytes, asset.gzip, asset.br));
  }
}

}  // namespace tachyon::openapi
