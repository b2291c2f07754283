// A real nginx proxy_cache in front of Tachyon, as a CDN would sit: it serves repeat public reads itself
// for s-maxage, revalidates with the ETag afterwards (a 304 from Tachyon), and never keeps `private` or
// `no-store` answers. nginx's $upstream_cache_status says who answered.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/acme_support.hpp"
#include "support/nginx_process.hpp"

namespace tachyon::testing {
namespace {

std::string proxy_config(std::uint16_t upstream_port) {
  std::string config = R"(daemon off;
master_process off;
worker_processes 1;
pid DIRECTORY/nginx.pid;
error_log DIRECTORY/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path DIRECTORY/body;
  proxy_temp_path DIRECTORY/proxy;
  proxy_cache_path DIRECTORY/cache keys_zone=api:1m;
  server {
    listen 127.0.0.1:PORT;
    location / {
      proxy_pass http://127.0.0.1:UPSTREAM;
      proxy_http_version 1.1;
      proxy_cache api;
      proxy_cache_revalidate on;
      add_header X-Proxy-Cache $upstream_cache_status always;
    }
  }
}
)";
  config.replace(config.find("UPSTREAM"), 8, std::to_string(upstream_port));
  return config;
}

TEST(ProxyCache, NginxKeepsPublicAnswersForSMaxAgeAndRevalidatesWithTheETag) {
  // s-maxage=1: long enough to see nginx answer alone, short enough to see it revalidate.
  AcmeServer server({}, {{"TACHYON_CACHE_PRODUCTS", "ttl=1s stale=0"}}, /*demo_data=*/true);
  NginxProcess nginx(proxy_config(server.port()));
  auto through_proxy = [&](const std::string& path, std::string_view headers = "") {
    auto response = request(nginx.port(), get_request(path, headers));
    EXPECT_TRUE(response);
    return response.value_or(HttpResponse{});
  };
  HttpResponse first = through_proxy("/v1/products/3");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.header("cache-control"), "public, max-age=0, s-maxage=1");
  EXPECT_EQ(first.header("x-proxy-cache"), "MISS");
  HttpResponse repeat = through_proxy("/v1/products/3");
  EXPECT_EQ(repeat.header("x-proxy-cache"), "HIT") << "nginx answered without asking Tachyon";
  EXPECT_EQ(repeat.body, first.body);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  HttpResponse revalidated = through_proxy("/v1/products/3");
  EXPECT_EQ(revalidated.header("x-proxy-cache"), "REVALIDATED") << "If-None-Match answered by Tachyon's 304";
  EXPECT_EQ(revalidated.body, first.body);
  EXPECT_EQ(revalidated.header("etag"), first.header("etag"));
}

TEST(ProxyCache, NginxNeverKeepsPrivateOrNoStoreAnswers) {
  AcmeServer server;
  NginxProcess nginx(proxy_config(server.port()));
  std::string key = "Authorization: Bearer " + server.admin_key() + "\r\n";
  std::string user_path =
      "/v1/users/" + std::to_string(server.create_user_with_password("proxied-" + unique_suffix() + "@example.com",
                                                                     "user", "eng", "long enough"));
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto user = request(nginx.port(), get_request(user_path, key));
    ASSERT_TRUE(user);
    EXPECT_EQ(user->status, 200);
    EXPECT_EQ(user->header("cache-control"), "private, no-cache");
    EXPECT_NE(user->header("x-proxy-cache"), "HIT");
    auto export_stream = request(nginx.port(), get_request("/v1/products", "Accept: application/x-ndjson\r\n"));
    ASSERT_TRUE(export_stream);
    EXPECT_EQ(export_stream->header("cache-control"), "no-store");
    EXPECT_NE(export_stream->header("x-proxy-cache"), "HIT");
  }
  // Without credentials the private route answers 401 through nginx, never a copy made for the admin.
  auto anonymous = request(nginx.port(), get_request(user_path));
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

}  // namespace
}  // namespace tachyon::testing
