// The docs page's static files (Swagger UI's bundle and stylesheet from web/node_modules, and our own
// start script from web/docs/), embedded in the binary at build time with their gzip and brotli encodings
// (made at build time too), so /docs needs no CDN or disk and compresses nothing while serving.
#pragma once

#include <span>
#include <string_view>

namespace tachyon::openapi {

struct DocsAsset {
  std::string_view name;  // served as /docs/<name>
  std::string_view content_type;
  std::string_view bytes;
  // Compressed at build time (gzip -9, brotli -q 11); empty for formats that are compressed already.
  std::string_view gzip;
  std::string_view br;
};

// Every embedded asset; defined in a source file that cmake/docs_assets.cmake generates.
std::span<const DocsAsset> docs_assets();

// The asset of that name, or nullptr.
const DocsAsset* find_docs_asset(std::string_view name);

}  // namespace tachyon::openapi
