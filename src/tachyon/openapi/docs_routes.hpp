// GET /openapi.json (the OpenAPI 3.1 document of every route), GET /docs (Swagger UI for it) and
// GET /docs/{asset} (the page's embedded files), all rendered once and served from memory.
#pragma once

#include "tachyon/http/router.hpp"
#include "tachyon/openapi/document.hpp"

namespace tachyon::openapi {

// Registers the three routes, then generates the document from every route the router holds,
// these included. Call it after all other routes are added: later routes would be missing.
void add_docs_routes(http::Router& router, DocumentInfo info = {});

// The HTML of /docs: Swagger UI's stylesheet and bundle and our start script, each referenced as
// /docs/<name>?v=<content hash> so that the assets can be cached for a year.
std::string docs_page_html(std::string_view title);

}  // namespace tachyon::openapi
