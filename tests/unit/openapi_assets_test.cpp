// The /docs files embedded with .incbin are byte for byte the files under web/, and the page
// references only them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tachyon/openapi/assets.hpp"
#include "tachyon/openapi/docs_routes.hpp"

namespace tachyon::openapi {
namespace {

const std::filesystem::path web_directory =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "web";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream input(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>());
}

TEST(DocsAssets, EmbeddedBytesEqualTheFilesUnderWeb) {
  struct Expected {
    const char* name;
    std::filesystem::path file;
  };
  const Expected expected[] = {
      {"swagger-ui-bundle.js", web_directory / "node_modules/swagger-ui-dist/swagger-ui-bundle.js"},
      {"swagger-ui.css", web_directory / "node_modules/swagger-ui-dist/swagger-ui.css"},
      {"favicon-32x32.png", web_directory / "node_modules/swagger-ui-dist/favicon-32x32.png"},
      {"docs-init.js", web_directory / "docs/docs-init.js"},
      {"swagger-ui-LICENSE.txt", web_directory / "node_modules/swagger-ui-dist/LICENSE"},
      {"swagger-ui-NOTICE.txt", web_directory / "node_modules/swagger-ui-dist/NOTICE"},
      {"swagger-ui-bundle.js.LICENSE.txt",
       web_directory / "node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt"},
  };
  ASSERT_EQ(docs_assets().size(), std::size(expected));
  for (const Expected& entry : expected) {
    const DocsAsset* asset = find_docs_asset(entry.name);
    ASSERT_NE(asset, nullptr) << entry.name;
    std::string on_disk = read_file(entry.file);
    ASSERT_FALSE(on_disk.empty()) << entry.file;
    EXPECT_EQ(asset->bytes.size(), on_disk.size()) << entry.name;
    EXPECT_TRUE(asset->bytes == on_disk) << entry.name;
  }
}

TEST(DocsAssets, ContentTypesFollowTheExtension) {
  EXPECT_EQ(find_docs_asset("swagger-ui-bundle.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(find_docs_asset("swagger-ui.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(find_docs_asset("favicon-32x32.png")->content_type, "image/png");
  EXPECT_EQ(find_docs_asset("missing.js"), nullptr);
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

TEST(DocsPage, ReferencesOnlyEmbeddedAssetsByVersionedUrl) {
  std::string html = docs_page_html("Acme <API>");
  EXPECT_NE(html.find("<title>Acme &lt;API&gt; - API documentation</title>"), std::string::npos);
  std::vector<std::string> urls = referenced_urls(html);
  EXPECT_EQ(urls.size(), 4u);
  for (const std::string& url : urls) {
    ASSERT_TRUE(url.starts_with("/docs/")) << url;
    std::size_t question = url.find("?v=");
    ASSERT_NE(question, std::string::npos) << url;
    EXPECT_EQ(url.size() - question - 3, 12u) << url;  // 12 hex digits of the content hash
    EXPECT_NE(find_docs_asset(url.substr(6, question - 6)), nullptr) << url;
  }
}

}  // namespace
}  // namespace tachyon::openapi
