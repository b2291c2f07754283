// REDIS_URL into RedisOptions, through the one URL parser (tachyon/core/url.hpp).
#include <charconv>
#include <string>
#include <string_view>

#include "tachyon/core/url.hpp"
#include "tachyon/redis/client.hpp"

namespace tachyon::redis {

namespace {

[[noreturn]] void invalid(std::string_view why) {
  throw std::invalid_argument("invalid redis URL: " + std::string(why));
}

int parse_database(std::string_view text) {
  int database = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), database);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || database < 0) {
    invalid("database '" + std::string(text) + "' is not a non-negative number");
  }
  return database;
}

// `unix:///path?db=N`: the database is the one query parameter allowed.
int database_from_query(std::string_view query) {
  if (query.empty()) return 0;
  if (!query.starts_with("db=") || query.find('&') != std::string_view::npos) {
    invalid("the only query parameter is db=N");
  }
  return parse_database(query.substr(3));
}

}  // namespace

RedisOptions parse_redis_url(std::string_view text) {
  core::Url url;
  try {
    url = core::parse_url(text);
  } catch (const core::UrlError& error) {
    invalid(error.what());
  }
  if (url.scheme == "rediss") invalid("rediss:// (TLS) is not supported");
  if (url.scheme != "redis" && url.scheme != "unix") invalid("it must start with redis:// or unix://");
  if (url.has_fragment) invalid("a fragment (#...) is not allowed");
  RedisOptions options;
  // redis://user:password@ is an ACL login; redis://password@ (no ':') the default user's password.
  if (url.has_userinfo) {
    options.user = url.has_password ? url.user : std::string();
    options.password = url.has_password ? url.password : url.user;
  }
  if (url.scheme == "unix") {
    if (!url.host.empty()) invalid("a unix:// URL has no host: unix:///path/to/redis.sock");
    if (url.path.size() <= 1) invalid("a unix:// URL needs the socket's path: unix:///path/to/redis.sock");
    options.unix_socket = core::percent_decode(url.path);
    options.database = database_from_query(url.query);
    return options;
  }
  if (url.has_query) invalid("query parameters are not supported");
  options.host = url.host;
  options.port = url.port;
  std::string_view database = url.path;
  if (database.starts_with('/')) database.remove_prefix(1);
  if (!database.empty()) options.database = parse_database(database);
  return options;
}

}  // namespace tachyon::redis
