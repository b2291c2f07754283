// The one URL parser (core::parse_url) and the redaction every logged URL goes through.
#include "tachyon/core/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tachyon::core {
namespace {

TEST(Url, SplitsEveryPartAndLowerCasesSchemeAndHost) {
  Url url = parse_url("HTTPS://Alice:S3cret@API.Example.com:8443/v2/items?limit=3#top");
  EXPECT_EQ(url.scheme, "https");
  EXPECT_TRUE(url.has_userinfo);
  EXPECT_EQ(url.user, "Alice");
  EXPECT_TRUE(url.has_password);
  EXPECT_EQ(url.password, "S3cret");
  EXPECT_EQ(url.host_kind, HostKind::name);
  EXPECT_EQ(url.host, "api.example.com");
  EXPECT_EQ(url.port, 8443);
  EXPECT_TRUE(url.port_given);
  EXPECT_EQ(url.path, "/v2/items");
  EXPECT_TRUE(url.has_query);
  EXPECT_EQ(url.query, "limit=3");
  EXPECT_TRUE(url.has_fragment);
  EXPECT_EQ(url.host_and_port(), "api.example.com:8443");
}

TEST(Url, DefaultPortsComeFromTheScheme) {
  EXPECT_EQ(parse_url("http://h").port, 80);
  EXPECT_EQ(parse_url("https://h").port, 443);
  EXPECT_EQ(parse_url("redis://h").port, 6379);
  EXPECT_EQ(parse_url("postgresql://h/db").port, 5432);
  EXPECT_EQ(parse_url("gopher://h").port, 0);
  Url url = parse_url("http://h/");
  EXPECT_FALSE(url.port_given);
  EXPECT_EQ(url.host_and_port(), "h");  // a Host header without the default port
}

TEST(Url, IpLiterals) {
  Url v6 = parse_url("http://[FE80::1]:8080/x");
  EXPECT_EQ(v6.host_kind, HostKind::ipv6);
  EXPECT_EQ(v6.host, "fe80::1");
  EXPECT_EQ(v6.port, 8080);
  EXPECT_EQ(v6.host_and_port(), "[fe80::1]:8080");
  EXPECT_EQ(parse_url("redis://[::1]").host, "::1");
  Url v4 = parse_url("http://127.0.0.1:1");
  EXPECT_EQ(v4.host_kind, HostKind::ipv4);
  EXPECT_EQ(v4.host, "127.0.0.1");
}

TEST(Url, UserinfoWithAtSignsAndColons) {
  // Only the last '@' before the path ends the userinfo (as in the WHATWG URL Standard); the first ':' splits it.
  Url url = parse_url("redis://app:p@ss:w@rd@cache:6380/1");
  EXPECT_EQ(url.user, "app");
  EXPECT_EQ(url.password, "p@ss:w@rd");
  EXPECT_EQ(url.host, "cache");
  EXPECT_EQ(url.path, "/1");
  Url empty_user = parse_url("redis://:secret@cache");
  EXPECT_EQ(empty_user.user, "");
  EXPECT_TRUE(empty_user.has_password);
  EXPECT_EQ(empty_user.password, "secret");
  Url user_only = parse_url("https://token@github.com");
  EXPECT_EQ(user_only.user, "token");
  EXPECT_FALSE(user_only.has_password);
  // An '@' after the path starts belongs to the path, not the userinfo.
  Url path_at = parse_url("http://host/users/@me");
  EXPECT_FALSE(path_at.has_userinfo);
  EXPECT_EQ(path_at.path, "/users/@me");
}

TEST(Url, PercentEncodingIsDecodedInUserinfoAndKeptInThePath) {
  Url url = parse_url("redis://al%69ce:s%2Fc%3Fr%23t%40%25@h/a%20b");
  EXPECT_EQ(url.user, "alice");
  EXPECT_EQ(url.password, "s/c?r#t@%");
  EXPECT_EQ(url.path, "/a%20b");
  EXPECT_EQ(percent_decode("/a%20b%2F"), "/a b/");
  EXPECT_THROW(percent_decode("%zz"), UrlError);
  EXPECT_THROW(percent_decode("50%"), UrlError);
}

TEST(Url, UnixSocketPaths) {
  Url url = parse_url("unix:///run/redis/redis-server.sock?db=2");
  EXPECT_EQ(url.scheme, "unix");
  EXPECT_EQ(url.host_kind, HostKind::none);
  EXPECT_EQ(url.host, "");
  EXPECT_EQ(url.path, "/run/redis/redis-server.sock");
  EXPECT_EQ(url.query, "db=2");
  Url with_password = parse_url("unix://:secret@/tmp/r.sock");
  EXPECT_EQ(with_password.password, "secret");
  EXPECT_EQ(with_password.path, "/tmp/r.sock");
}

TEST(Url, RejectsWithTheReasonAndNeverThePassword) {
  struct Case {
    const char* text;
    const char* reason;
  };
  for (const Case& bad :
       {Case{"example.com", "scheme://"}, Case{"http://", "missing host"}, Case{"http://:80", "missing host"},
        Case{"http://host:0", "1 to 65535"}, Case{"http://host:65536", "1 to 65535"},
        Case{"http://host:", "empty port"}, Case{"http://host:x", "1 to 65535"}, Case{"http://host:80x/", "1 to 65535"},
        Case{"http://[::1", "unterminated [IPv6]"}, Case{"http://[::g]", "IPv6"}, Case{"http://ho st", "host"},
        Case{"http://ex%41mple!.com", "host name"}, Case{"http://host/a b", "path"},
        Case{"redis://:se cret@host", "percent-encoded"}, Case{"redis://:se/cret@host", "%2F"}}) {
    try {
      parse_url(bad.text);
      ADD_FAILURE() << bad.text << " was accepted";
    } catch (const UrlError& error) {
      std::string message = error.what();
      EXPECT_NE(message.find(bad.reason), std::string::npos) << bad.text << ": " << message;
      EXPECT_EQ(message.find("cret"), std::string::npos) << message;
    }
  }
}

TEST(Url, RedactionHidesPasswordsAndLoneUserinfo) {
  EXPECT_EQ(redact_url("postgres://app:s3cr3t@db:5432/acme"), "postgres://app:***@db:5432/acme");
  EXPECT_EQ(redact_url("redis://:token@cache:6379/0"), "redis://:***@cache:6379/0");
  EXPECT_EQ(redact_url("redis://app:p@ss@cache"), "redis://app:***@cache");
  EXPECT_EQ(redact_url("redis://secret@host"), "redis://***@host");  // redis: a lone userinfo is the password
  EXPECT_EQ(redact_url("https://ghp_token@github.com/x"), "https://***@github.com/x");
  EXPECT_EQ(redact_url("unix://:pw@/tmp/r.sock"), "unix://:***@/tmp/r.sock");
  EXPECT_EQ(redact_url("redis://host:6379"), "redis://host:6379");
  EXPECT_EQ(redact_url("sqlite:acme.db"), "sqlite:acme.db");
  EXPECT_EQ(redact_url("http://host/path@x:y"), "http://host/path@x:y");
  // Not a URL (an unencoded '/' in the password): nothing between "://" and the last '@' is shown.
  EXPECT_EQ(redact_url("redis://app:pa/ss@host"), "redis://***@host");
  EXPECT_EQ(redact_url("redis://app:pa ss@ho@st/0"), "redis://***@st/0");
}

TEST(Origin, AcceptsOriginsAsBrowsersSerializeThem) {
  for (const char* origin : {"https://app.example.com", "http://localhost:5173", "http://127.0.0.1:8080",
                             "http://[::1]:3000", "https://xn--bcher-kva.example"}) {
    EXPECT_EQ(origin_problem(origin), std::nullopt) << origin;
  }
}

TEST(Origin, RefusesWhatNoBrowserSendsInAnOriginHeader) {
  for (const char* text :
       {"app.example.com", "https://app.example.com/", "https://app.example.com/path", "https://App.example.com",
        "HTTPS://app.example.com", "https://app.example.com:443", "http://app.example.com:80",
        "https://user@app.example.com", "https://app.example.com?x", "https://app.example.com#x", "https://", ""}) {
    EXPECT_NE(origin_problem(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace tachyon::core
