// OpenAPI 3.1 from the router: every route's path template, metadata, body schemas and access
// declaration (as `security` and the bearerAuth, apiKeyAuth and oauth2 security schemes) become one JSON
// document, generated once at start (the routes are fixed by then) and served from memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tachyon/http/router.hpp"

namespace tachyon::openapi {

struct DocumentInfo {
  std::string title = "Tachyon";
  std::string version = TACHYON_VERSION;
  std::string description;
};

// "/v1/users/{id:int}/orders" -> "/v1/users/{id}/orders": OpenAPI path templates carry no types.
std::string openapi_path(std::string_view path_template);

// The whole document. Routes sharing a path template become one path item; a GET route also answers
// HEAD, which OpenAPI leaves implicit. Throws std::invalid_argument when two routes share a name,
// because operationId must be unique (OpenAPI 3.1 §4.8.10.1).
std::string generate_document(const std::vector<const http::Route*>& routes, const DocumentInfo& info);

}  // namespace tachyon::openapi
