#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "tachyon/upstream/http_client.hpp"

namespace {

using tachyon::upstream::parse_url;

TEST(UpstreamUrl, DefaultsPortsByScheme) {
  auto plain = parse_url("http://api.example.com");
  EXPECT_EQ(plain.scheme, "http");
  EXPECT_EQ(plain.host, "api.example.com");
  EXPECT_EQ(plain.port, 80);
  EXPECT_EQ(plain.base_path, "");
  auto secure = parse_url("HTTPS://API.Example.com/");
  EXPECT_EQ(secure.scheme, "https");
  EXPECT_EQ(secure.host, "api.example.com");
  EXPECT_EQ(secure.port, 443);
  EXPECT_EQ(secure.base_path, "");
}

TEST(UpstreamUrl, KeepsPortAndBasePathWithoutTrailingSlash) {
  auto url = parse_url("http://127.0.0.1:8081/api/v2/");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8081);
  EXPECT_EQ(url.base_path, "/api/v2");
}

TEST(UpstreamUrl, UnbracketsIpv6Hosts) {
  auto url = parse_url("https://[::1]:8443/x");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.base_path, "/x");
  EXPECT_EQ(parse_url("http://[fe80::1]").port, 80);
}

TEST(UpstreamUrl, RejectsWhatItCannotUseWithTheReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case& bad :
       {Case{"example.com", "scheme://"}, Case{"ftp://example.com", "http or https"}, Case{"http://", "missing host"},
        Case{"http://:80", "missing host"}, Case{"http://host:0", "port"}, Case{"http://host:65536", "port"},
        Case{"http://host:x", "port"}, Case{"http://host:", "empty port"}, Case{"http://user@host", "user info"},
        Case{"http://host/a?b=1", "query"}, Case{"http://host/#top", "fragment"}, Case{"http://[::1", "IPv6"},
        Case{"http://ho st", "host"}, Case{"http://host/a b", "path"}}) {
    try {
      parse_url(bad.text);
      ADD_FAILURE() << bad.text << " was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(bad.reason), std::string::npos) << bad.text << ": " << error.what();
    }
  }
}

}  // namespace
