#include "tachyon/openapi/assets.hpp"

namespace tachyon::openapi {

const DocsAsset* find_docs_asset(std::string_view name) {
  for (const DocsAsset& asset : docs_assets()) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace tachyon::openapi
