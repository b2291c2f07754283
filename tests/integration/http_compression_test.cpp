// Compression and HTTP caching headers over real HTTP (ACME_API.md "Compression and HTTP caching"):
// bodies decoded by real decoders (Python's gzip, Debian's python3-brotli, curl --compressed) are
// byte-identical to the identity answer; q-values decide; each encoding has its own ETag and 304;
// cache hits serve the stored variant; credential answers are never compressed (BREACH); routes carry
// their Cache-Control, Last-Modified and Surrogate-Key.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "support/acme_support.hpp"

namespace tachyon::testing {
namespace {

// Decodes `body` with Debian's /usr/bin/python3 (where python3-brotli installs): the reference decoders.
std::string decode_with_python(const std::string& body, const std::string& module, const TemporaryDirectory& dir) {
  std::filesystem::path file = dir.path() / "body.bin";
  std::ofstream(file, std::ios::binary) << body;
  std::string output;
  std::string command = "/usr/bin/python3 -c 'import sys," + module + "; sys.stdout.buffer.write(" + module +
                        ".decompress(open(sys.argv[1], \"rb\").read()))' " + file.string();
  EXPECT_EQ(run_shell(command, output), 0) << output;
  return output;
}

class HttpCompression : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new AcmeServer({}, {}, /*demo_data=*/true);
    directory = new TemporaryDirectory();
  }
  static void TearDownTestSuite() {
    delete server;
    delete directory;
  }
  static HttpResponse get(const std::string& path, std::string_view headers = "") {
    return server->call_anonymous("GET", path, "", headers);
  }
  static AcmeServer* server;
  static TemporaryDirectory* directory;
};
AcmeServer* HttpCompression::server = nullptr;
TemporaryDirectory* HttpCompression::directory = nullptr;

const std::string list_path = "/v1/products?limit=60&sort=id";

TEST_F(HttpCompression, BrotliAndGzipDecodeToTheIdentityBytes) {
  HttpResponse identity = get(list_path);
  ASSERT_EQ(identity.status, 200);
  ASSERT_GT(identity.body.size(), 5000u);
  EXPECT_FALSE(identity.has_header("content-encoding"));
  EXPECT_NE(identity.header("vary").find("Accept-Encoding"), std::string::npos);

  HttpResponse br = get(list_path, "Accept-Encoding: br\r\n");
  ASSERT_EQ(br.status, 200);
  EXPECT_EQ(br.header("content-encoding"), "br");
  EXPECT_LT(br.body.size(), identity.body.size() / 4) << "JSON shrinks by more than 75 %";
  EXPECT_EQ(decode_with_python(br.body, "brotli", *directory), identity.body);

  HttpResponse gzip = get(list_path, "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");
  EXPECT_EQ(decode_with_python(gzip.body, "gzip", *directory), identity.body);

  std::string output;
  std::string command = "curl -s --compressed 'http://127.0.0.1:" + std::to_string(server->port()) + list_path + "'";
  ASSERT_EQ(run_shell(command, output), 0);
  EXPECT_EQ(output, identity.body);
}

TEST_F(HttpCompression, QValuesChooseTheCoding) {
  EXPECT_EQ(get(list_path, "Accept-Encoding: gzip;q=0.5, br;q=0.1\r\n").header("content-encoding"), "gzip");
  EXPECT_EQ(get(list_path, "Accept-Encoding: gzip, br\r\n").header("content-encoding"), "br");
  EXPECT_EQ(get(list_path, "Accept-Encoding: br;q=0, *\r\n").header("content-encoding"), "gzip");
  EXPECT_FALSE(get(list_path, "Accept-Encoding: gzip;q=0, br;q=0\r\n").has_header("content-encoding"));
  EXPECT_FALSE(get(list_path, "Accept-Encoding: gzip;q=0.3, identity\r\n").has_header("content-encoding"));
  EXPECT_FALSE(get(list_path, "Accept-Encoding: deflate, compress\r\n").has_header("content-encoding"));
  // Below 500 bytes nothing is compressed, unless identity is refused.
  HttpResponse small = get("/v1/products/1", "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(small.status, 200);
  ASSERT_LT(small.body.size(), 500u);
  EXPECT_FALSE(small.has_header("content-encoding"));
  HttpResponse forced = get("/v1/products/1", "Accept-Encoding: gzip, identity;q=0\r\n");
  EXPECT_EQ(forced.header("content-encoding"), "gzip");
  EXPECT_EQ(decode_with_python(forced.body, "gzip", *directory), small.body);
}

TEST_F(HttpCompression, EachEncodingHasItsOwnETagAnd304) {
  HttpResponse identity = get(list_path);
  HttpResponse br = get(list_path, "Accept-Encoding: br\r\n");
  HttpResponse gzip = get(list_path, "Accept-Encoding: gzip\r\n");
  std::string identity_tag = identity.header("etag");
  ASSERT_FALSE(identity_tag.empty());
  EXPECT_NE(br.header("etag"), identity_tag);
  EXPECT_NE(gzip.header("etag"), identity_tag);
  EXPECT_NE(gzip.header("etag"), br.header("etag"));
  for (const auto& [coding, tag] : {std::pair<std::string, std::string>{"br", br.header("etag")},
                                    {"gzip", gzip.header("etag")},
                                    {"identity", identity_tag}}) {
    HttpResponse again = get(list_path, "Accept-Encoding: " + coding + "\r\nIf-None-Match: " + tag + "\r\n");
    EXPECT_EQ(again.status, 304) << coding;
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(again.header("etag"), tag) << coding;
    EXPECT_NE(again.header("vary").find("Accept-Encoding"), std::string::npos);
  }
  // The identity tag does not stand for the brotli bytes: a full answer, not a 304.
  EXPECT_EQ(get(list_path, "Accept-Encoding: br\r\nIf-None-Match: " + identity_tag + "\r\n").status, 200);
}

TEST_F(HttpCompression, ACacheHitServesTheStoredVariant) {
  const std::string path = "/v1/products?limit=40&sort=-id";
  HttpResponse first = get(path, "Accept-Encoding: br\r\n");
  HttpResponse second = get(path, "Accept-Encoding: br\r\n");
  EXPECT_EQ(first.header("x-cache"), "MISS");
  EXPECT_EQ(second.header("x-cache"), "HIT");
  EXPECT_EQ(second.header("content-encoding"), "br");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.header("etag"), first.header("etag"));
}

TEST_F(HttpCompression, DocsAssetsGoOutPrecompressed) {
  HttpResponse identity = get("/docs/swagger-ui-bundle.js");
  HttpResponse br = get("/docs/swagger-ui-bundle.js", "Accept-Encoding: br\r\n");
  HttpResponse gzip = get("/docs/swagger-ui-bundle.js", "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(identity.status, 200);
  EXPECT_EQ(br.header("content-encoding"), "br");
  EXPECT_EQ(gzip.header("content-encoding"), "gzip");
  EXPECT_LT(br.body.size(), identity.body.size() / 3);
  EXPECT_EQ(decode_with_python(br.body, "brotli", *directory), identity.body);
  EXPECT_EQ(decode_with_python(gzip.body, "gzip", *directory), identity.body);
  EXPECT_EQ(
      get("/docs/swagger-ui-bundle.js", "Accept-Encoding: br\r\nIf-None-Match: " + br.header("etag") + "\r\n").status,
      304);
  // PNG is compressed already: sent as it is.
  EXPECT_FALSE(get("/docs/favicon-32x32.png", "Accept-Encoding: br\r\n").has_header("content-encoding"));
  HttpResponse document = get("/openapi.json", "Accept-Encoding: br\r\n");
  EXPECT_EQ(document.header("content-encoding"), "br");
  EXPECT_EQ(decode_with_python(document.body, "brotli", *directory), get("/openapi.json").body);
}

TEST_F(HttpCompression, CredentialAnswersAreNeverCompressed) {
  std::string email = "breach-" + unique_suffix() + "@example.com";
  server->create_user_with_password(email, "user", "eng", "correct horse battery");
  // Identity refused: anything compressible would be compressed, whatever its size.
  std::string form = "grant_type=password&username=" + email + "&password=correct+horse+battery";
  HttpResponse token = server->call_anonymous(
      "POST", "/v1/auth/token", form,
      "Content-Type: application/x-www-form-urlencoded\r\nAccept-Encoding: gzip, br, identity;q=0\r\n");
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_FALSE(token.has_header("content-encoding"));
  EXPECT_EQ(token.header("cache-control"), "no-store");
  HttpResponse keys = server->call("POST", "/v1/admin/api-keys", R"({"name":"compress-me","scopes":"products:read"})",
                                   "Accept-Encoding: gzip, br, identity;q=0\r\n");
  ASSERT_EQ(keys.status, 201) << keys.body;
  EXPECT_FALSE(keys.has_header("content-encoding"));
  // The same refusal of identity elsewhere does compress: the rule is per route.
  EXPECT_EQ(get("/v1/products/1", "Accept-Encoding: gzip, identity;q=0\r\n").header("content-encoding"), "gzip");
}

TEST_F(HttpCompression, RoutesCarryTheirCachingHeaders) {
  HttpResponse product = get("/v1/products/2");
  EXPECT_EQ(product.header("cache-control"), "public, max-age=0, s-maxage=300, stale-while-revalidate=30");
  EXPECT_FALSE(product.header("last-modified").empty());
  EXPECT_EQ(product.header("surrogate-key"), "products:2");
  EXPECT_EQ(product.header("cache-tag"), "products:2");
  HttpResponse list = get("/v1/products?limit=5");
  EXPECT_NE(list.header("surrogate-key").find("products:list"), std::string::npos);
  EXPECT_NE(list.header("vary").find("Accept"), std::string::npos);
  // The representation's date answers If-Modified-Since with 304 (and a later change with 200).
  HttpResponse unchanged = get("/v1/products/2", "If-Modified-Since: " + product.header("last-modified") + "\r\n");
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_EQ(get("/v1/products/2", "If-Modified-Since: Thu, 01 Jan 1970 00:00:01 GMT\r\n").status, 200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  EXPECT_EQ(get("/v1/products/2",
                "If-None-Match: \"other\"\r\nIf-Modified-Since: " + product.header("last-modified") + "\r\n")
                .status,
            200);
  // Answers that depend on who asks are private and carry no surrogate keys.
  HttpResponse user = server->call("GET", "/v1/users/1");
  ASSERT_EQ(user.status, 200);
  EXPECT_EQ(user.header("cache-control"), "private, no-cache");
  EXPECT_FALSE(user.has_header("surrogate-key"));
  EXPECT_EQ(server->call("GET", "/v1/orders?limit=1").header("cache-control"), "private, no-cache");
  // Errors get no route caching header.
  EXPECT_FALSE(get("/v1/products/999999999").has_header("cache-control"));
}

// The settings, each on its own server: compression off, a larger minimum, another type list, and the
// gzip level and brotli quality (the smallest settings give larger bodies than the defaults).
TEST(HttpCompressionSettings, OffMinimumTypesAndLevelsAreHonoured) {
  const std::string path = "/v1/products?limit=60&sort=id";
  const std::string both = "Accept-Encoding: br, gzip\r\n";
  auto answer = [&](const std::map<std::string, std::string>& environment, std::string_view accept) {
    AcmeServer server({}, environment, /*demo_data=*/true);
    return server.call_anonymous("GET", path, "", accept);
  };
  HttpResponse defaults_br = answer({}, both);
  HttpResponse defaults_gzip = answer({}, "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(defaults_br.header("content-encoding"), "br");
  ASSERT_EQ(defaults_gzip.header("content-encoding"), "gzip");

  HttpResponse off = answer({{"TACHYON_COMPRESSION", "false"}}, both);
  EXPECT_EQ(off.status, 200);
  EXPECT_FALSE(off.has_header("content-encoding"));
  EXPECT_EQ(off.header("vary").find("Accept-Encoding"), std::string::npos);

  HttpResponse larger_minimum = answer({{"TACHYON_COMPRESSION_MIN_BYTES", "1MiB"}}, both);
  EXPECT_FALSE(larger_minimum.has_header("content-encoding"));

  HttpResponse text_only = answer({{"TACHYON_COMPRESSION_TYPES", "text/"}}, both);
  EXPECT_FALSE(text_only.has_header("content-encoding"));

  HttpResponse fastest = answer({{"TACHYON_GZIP_LEVEL", "1"}, {"TACHYON_BROTLI_QUALITY", "0"}}, both);
  HttpResponse fastest_gzip =
      answer({{"TACHYON_GZIP_LEVEL", "1"}, {"TACHYON_BROTLI_QUALITY", "0"}}, "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(fastest.header("content-encoding"), "br");
  ASSERT_EQ(fastest_gzip.header("content-encoding"), "gzip");
  EXPECT_GT(fastest.body.size(), defaults_br.body.size());
  EXPECT_GT(fastest_gzip.body.size(), defaults_gzip.body.size());
  EXPECT_LT(fastest.body.size(), off.body.size());
}

}  // namespace
}  // namespace tachyon::testing
