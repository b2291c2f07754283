#include "tachyon/config/settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "tachyon/config/values.hpp"
#include "tachyon/core/url.hpp"
#include "tachyon/redis/client.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kibibyte = 1024;
constexpr std::uint64_t mebibyte = 1024 * kibibyte;
constexpr std::uint64_t gibibyte = 1024 * mebibyte;
constexpr std::chrono::milliseconds longest_timeout = 1h;

// Indexed by the enum's value, so the enum order and these lists must match.
constexpr std::array<std::string_view, 6> log_level_names{"trace", "debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, 2> log_format_names{"json", "text"};
constexpr std::array<std::string_view, 3> token_algorithm_names{"EdDSA", "ES256", "HS256"};

// Stores a successfully parsed value through `store`, or hands back the parser's reason.
template <typename Value, typename Store>
std::optional<std::string> store_parsed(ParseResult<Value> parsed, Store store) {
  if (!parsed.ok()) {
    return std::move(parsed.reason);
  }
  store(*parsed.value);
  return std::nullopt;
}

struct Documentation {
  std::string variable;
  std::string default_text;
  std::string description;
};

SettingSpec make_spec(Documentation documentation, std::string type, SettingSpec::Binder bind,
                      SettingSpec::Renderer render) {
  return SettingSpec{.variable = std::move(documentation.variable),
                     .type = std::move(type),
                     .default_text = std::move(documentation.default_text),
                     .description = std::move(documentation.description),
                     .secret = false,
                     .empty_text = "(empty)",
                     .bind = std::move(bind),
                     .render = std::move(render)};
}

template <typename Member>
SettingSpec integer_row(Documentation documentation, Member Settings::*member, std::uint64_t minimum,
                        std::uint64_t maximum) {
  return make_spec(
      std::move(documentation), "integer " + std::to_string(minimum) + ".." + std::to_string(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_integer(text, minimum, maximum),
                            [&](std::uint64_t value) { settings.*member = static_cast<Member>(value); });
      },
      [=](const Settings& settings) { return std::to_string(settings.*member); });
}

SettingSpec size_row(Documentation documentation, std::size_t Settings::*member, std::uint64_t minimum,
                     std::uint64_t maximum) {
  return make_spec(
      std::move(documentation), "size " + format_size(minimum) + ".." + format_size(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_size(text, minimum, maximum),
                            [&](std::uint64_t value) { settings.*member = static_cast<std::size_t>(value); });
      },
      [=](const Settings& settings) { return format_size(settings.*member); });
}

SettingSpec duration_row(Documentation documentation, std::chrono::milliseconds Settings::*member,
                         std::chrono::milliseconds minimum, std::chrono::milliseconds maximum = longest_timeout) {
  return make_spec(
      std::move(documentation), "duration " + format_duration(minimum) + ".." + format_duration(maximum),
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_duration(text, minimum, maximum),
                            [&](std::chrono::milliseconds value) { settings.*member = value; });
      },
      [=](const Settings& settings) { return format_duration(settings.*member); });
}

// A whole number of milliseconds, for the `*_MS` thresholds users know from other servers.
SettingSpec milliseconds_row(Documentation documentation, std::chrono::milliseconds Settings::*member) {
  constexpr std::uint64_t longest = 3'600'000;
  return make_spec(
      std::move(documentation), "integer 0.." + std::to_string(longest) + " (milliseconds)",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_integer(text, 0, longest), [&](std::uint64_t value) {
          settings.*member = std::chrono::milliseconds(static_cast<std::int64_t>(value));
        });
      },
      [=](const Settings& settings) { return std::to_string((settings.*member).count()); });
}

SettingSpec boolean_row(Documentation documentation, bool Settings::*member) {
  return make_spec(
      std::move(documentation), "boolean",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_boolean(text), [&](bool value) { settings.*member = value; });
      },
      [=](const Settings& settings) { return std::string(settings.*member ? "true" : "false"); });
}

template <typename Enum, std::size_t count>
SettingSpec choice_row(Documentation documentation, Enum Settings::*member,
                       const std::array<std::string_view, count>& names) {
  std::string type = "one of ";
  for (std::size_t index = 0; index < count; ++index) {
    type += (index == 0 ? "" : ", ") + std::string(names[index]);
  }
  return make_spec(
      std::move(documentation), std::move(type),
      [=, &names](Settings& settings, std::string_view text) {
        return store_parsed(parse_choice(text, names),
                            [&](std::size_t index) { settings.*member = static_cast<Enum>(index); });
      },
      [=, &names](const Settings& settings) { return std::string(names[static_cast<std::size_t>(settings.*member)]); });
}

// Rejects empty values and whitespace, the usual copy-paste accidents; the OS resolver
// reports anything subtler when the server binds.
bool plausible_host(std::string_view text) {
  return !text.empty() && std::none_of(text.begin(), text.end(), [](char character) {
    auto byte = static_cast<unsigned char>(character);
    return std::isspace(byte) != 0 || std::iscntrl(byte) != 0;
  });
}

SettingSpec host_row(Documentation documentation, std::string Settings::*member) {
  return make_spec(
      std::move(documentation), "host name or IP address",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!plausible_host(text)) {
          return "is not a host name or IP address";
        }
        settings.*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return settings.*member; });
}

// A non-empty word without whitespace (token issuer and audience names, compared exactly).
SettingSpec word_row(Documentation documentation, std::string Settings::*member) {
  return make_spec(
      std::move(documentation), "text without spaces",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!plausible_host(text)) return "is empty or has spaces";
        settings.*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return settings.*member; });
}

SettingSpec role_grants_row(Documentation documentation, RoleGrants Settings::*member) {
  return make_spec(
      std::move(documentation), "role=scope scope; ...",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        std::string error;
        std::optional<RoleGrants> grants = parse_role_grants(text, error);
        if (!grants) return error;
        settings.*member = std::move(*grants);
        return std::nullopt;
      },
      [=](const Settings& settings) { return format_role_grants(settings.*member); });
}

// `sqlite:PATH`, `sqlite://PATH` or `sqlite::memory:`; PostgreSQL URLs are recognised and refused
// until the PostgreSQL backend exists, so a typo cannot silently fall back to a local file.
SettingSpec database_url_row(Documentation documentation, std::string Settings::*member) {
  SettingSpec spec = make_spec(
      std::move(documentation), "database URL",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (text.starts_with("postgres://") || text.starts_with("postgresql://")) {
          return "names PostgreSQL, which this build does not support yet; use sqlite:PATH";
        }
        std::string_view path = text.starts_with("sqlite://") ? text.substr(9)
                                : text.starts_with("sqlite:") ? text.substr(7)
                                                              : std::string_view();
        if (path.empty()) return "is not a database URL such as sqlite:acme.db or sqlite::memory:";
        settings.*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return settings.*member; });
  spec.redact = core::redact_url;
  return spec;
}

// An optional URL: empty, or text `check` finds nothing wrong with (it returns why otherwise); what may be
// shown of it never holds a password.
SettingSpec optional_url_row(Documentation documentation, std::string Settings::*member, std::string type,
                             std::function<std::optional<std::string>(std::string_view)> check) {
  SettingSpec spec = make_spec(
      std::move(documentation), std::move(type),
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!text.empty()) {
          if (std::optional<std::string> problem = check(text)) return problem;
        }
        settings.*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return settings.*member; });
  spec.redact = core::redact_url;
  spec.empty_text = "(none)";
  return spec;
}

// The reason `parse` (one of the URL parsers built on core::parse_url) refuses text, if it does.
template <typename Parse>
std::optional<std::string> url_problem(std::string_view text, Parse parse) {
  try {
    parse(text);
    return std::nullopt;
  } catch (const std::invalid_argument& error) {
    return "is not accepted: " + std::string(error.what());
  }
}

// A route's cache: "off" or `ttl=… stale=… error=… bytes=… policy=…` (fields not given keep theirs).
SettingSpec cache_route_row(std::string variable, std::string description, CacheRouteSetting Settings::*member) {
  return make_spec(
      {std::move(variable), format_cache_route(Settings{}.*member), std::move(description)},
      "off or ttl= stale= error= bytes= policy=",
      [=](Settings& settings, std::string_view text) {
        return store_parsed(parse_cache_route(text, settings.*member),
                            [&](const CacheRouteSetting& value) { settings.*member = value; });
      },
      [=](const Settings& settings) { return format_cache_route(settings.*member); });
}

// Empty is allowed (it means "generate one"); a short key is rejected because it can be guessed.
SettingSpec secret_row(Documentation documentation, std::string Settings::*member, std::size_t minimum_length,
                       std::string empty_text) {
  std::string too_short = "is shorter than " + std::to_string(minimum_length) + " characters";
  SettingSpec spec = make_spec(
      std::move(documentation), "string, secret, empty or at least " + std::to_string(minimum_length) + " characters",
      [=](Settings& settings, std::string_view text) -> std::optional<std::string> {
        if (!text.empty() && text.size() < minimum_length) {
          return too_short;
        }
        settings.*member = std::string(text);
        return std::nullopt;
      },
      [=](const Settings& settings) { return settings.*member; });
  spec.secret = true;
  spec.empty_text = std::move(empty_text);
  return spec;
}

std::vector<SettingSpec> build_specs() {
  return {
      host_row({"TACHYON_HOST", "127.0.0.1", "Address to listen on; 0.0.0.0 or :: listens on all interfaces."},
               &Settings::host),
      integer_row({"TACHYON_PORT", "8000", "TCP port to listen on; 0 = an ephemeral port chosen by the OS."},
                  &Settings::port, 0, 65535),
      integer_row({"TACHYON_WORKERS", "0", "Worker threads; 0 = one per CPU core."}, &Settings::workers, 0, 256),
      integer_row({"TACHYON_MAX_CONNECTIONS", "10000",
                   "Open connections per process; when reached, accepting pauses until one closes."},
                  &Settings::max_connections, 1, 1'000'000),
      size_row({"TACHYON_MAX_REQUEST_LINE_BYTES", "8KiB", "Longest request line; longer gets 414 URI Too Long."},
               &Settings::max_request_line_bytes, 256, mebibyte),
      size_row({"TACHYON_MAX_HEADER_BYTES", "16KiB",
                "Total size of the request headers; larger gets 431 Request Header Fields Too Large."},
               &Settings::max_header_bytes, kibibyte, mebibyte),
      integer_row({"TACHYON_MAX_HEADER_COUNT", "100", "Most header fields in one request; more gets 431."},
                  &Settings::max_header_count, 1, 1000),
      size_row({"TACHYON_MAX_BODY_BYTES", "1MiB", "Largest request body; larger gets 413 Content Too Large."},
               &Settings::max_body_bytes, 0, gibibyte),
      duration_row({"TACHYON_HEADER_TIMEOUT", "10s", "Time allowed to receive a request's line and headers."},
                   &Settings::header_timeout, 1ms),
      duration_row({"TACHYON_IDLE_TIMEOUT", "60s",
                    "How long a keep-alive connection may wait for its next request before it is closed."},
                   &Settings::idle_timeout, 1ms),
      duration_row(
          {"TACHYON_BODY_TIMEOUT", "30s", "Time allowed to receive a request body; slower gets 408 Request Timeout."},
          &Settings::body_timeout, 1ms),
      duration_row({"TACHYON_DRAIN_TIMEOUT", "10s",
                    "On shutdown, how long in-flight requests may finish before connections are closed; "
                    "0 = do not wait."},
                   &Settings::drain_timeout, 0ms),
      integer_row({"TACHYON_MAX_REQUESTS_PER_CONNECTION", "0",
                   "Requests served on one keep-alive connection before it is closed; 0 = unlimited."},
                  &Settings::max_requests_per_connection, 0, 1'000'000'000),
      choice_row({"TACHYON_LOG_LEVEL", "info", "Least severe log level that is written."}, &Settings::log_level,
                 log_level_names),
      choice_row({"TACHYON_LOG_FORMAT", "json", "json: one JSON object per line; text: for humans."},
                 &Settings::log_format, log_format_names),
      boolean_row({"TACHYON_ACCESS_LOG", "true", "Log one line per request."}, &Settings::access_log),
      boolean_row({"TACHYON_METRICS", "true",
                   "Record request metrics and serve them at `GET /metrics` (Prometheus/OpenMetrics)."},
                  &Settings::metrics),
      boolean_row({"TACHYON_SERVER_TIMING", "false",
                   "Add a `Server-Timing` header with the request's spans (`db;dur=`, `app;dur=`); it reveals "
                   "internals, so keep it off in production."},
                  &Settings::server_timing),
      milliseconds_row({"TACHYON_SLOW_REQUEST_MS", "1000",
                        "Requests taking at least this many milliseconds are logged with their span breakdown; "
                        "0 = off."},
                       &Settings::slow_request),
      boolean_row({"TACHYON_PROFILING", "false",
                   "Serve `GET /debug/pprof/profile?seconds=N` (gperftools CPU profile) to callers with the "
                   "`admin` scope."},
                  &Settings::profiling),
      boolean_row({"TACHYON_METRICS_PUBLIC", "true",
                   "Serve `GET /metrics` without credentials; false: only to callers with the `admin` scope."},
                  &Settings::metrics_public),
      database_url_row({"DATABASE_URL", "sqlite:acme.db",
                        "The Acme database: sqlite:PATH (relative to the working directory) or sqlite::memory:."},
                       &Settings::database_url),
      milliseconds_row({"TACHYON_SLOW_QUERY_MS", "100",
                        "Database statements taking at least this many milliseconds are logged with their SQL "
                        "(parameters masked) and duration; 0 = log every statement."},
                       &Settings::slow_query),
      boolean_row({"TACHYON_DEMO_DATA", "true", "Fill an empty database with a small demo data set at start."},
                  &Settings::demo_data),
      secret_row({"TACHYON_SECRET_KEY", "",
                  "Key for signing and encryption (cursors, API key and refresh token hashes, sealed token "
                  "signing keys), e.g. from `openssl rand -hex 32`. Empty: a key generated once and kept in the "
                  "database, shared by every instance on it."},
                 &Settings::secret_key, 32, "(kept in the database)"),
      secret_row({"TACHYON_ADMIN_PASSWORD", "",
                  "Password of the demo admin `admin@acme.test`, created with the demo data. Empty: a random "
                  "password, printed once in the log."},
                 &Settings::admin_password, 8, "(random, printed once)"),
      choice_row({"TACHYON_TOKEN_ALGORITHM", "EdDSA",
                  "Signature of access tokens (JWT): EdDSA (Ed25519), ES256 (P-256) or HS256 (a shared secret, "
                  "so no public key in the JWKS). A change makes a new signing key at start."},
                 &Settings::token_algorithm, token_algorithm_names),
      word_row({"TACHYON_TOKEN_ISSUER", "tachyon", "The `iss` of access tokens, checked on every one."},
               &Settings::token_issuer),
      word_row({"TACHYON_TOKEN_AUDIENCE", "acme", "The `aud` of access tokens, checked on every one."},
               &Settings::token_audience),
      role_grants_row({"TACHYON_ROLE_SCOPES", format_role_grants(Settings{}.role_scopes),
                       "The scopes each role grants (the contract's table by default). Roles are Acme's user, "
                       "manager and admin; a role left out grants nothing. Object rules (own records, a "
                       "manager's department) apply whatever the scopes."},
                      &Settings::role_scopes),
      duration_row({"TACHYON_ACCESS_TOKEN_TTL", "15m", "Lifetime of access tokens."}, &Settings::access_token_ttl,
                   60'000ms, std::chrono::hours(24)),
      duration_row({"TACHYON_REFRESH_TOKEN_TTL", "720h",
                    "Lifetime of a login: its refresh tokens rotate on every use until then."},
                   &Settings::refresh_token_ttl, 60'000ms, std::chrono::hours(24 * 365)),
      size_row({"TACHYON_PASSWORD_MEMORY", "19MiB", "argon2id memory per password hash (OWASP: 19 MiB)."},
               &Settings::password_memory_bytes, 8 * kibibyte, gibibyte),
      integer_row({"TACHYON_PASSWORD_ITERATIONS", "2", "argon2id passes per password hash (OWASP: 2)."},
                  &Settings::password_iterations, 1, 100),
      integer_row({"TACHYON_PASSWORD_THREADS", "1",
                   "Threads that hash passwords, apart from the event loops, so logins never stall requests."},
                  &Settings::password_threads, 1, 64),
      optional_url_row({"REDIS_URL", "",
                        "Redis as the shared second cache level and invalidation bus of all instances: "
                        "`redis://[[user]:password@]host[:port][/db]` or `unix://[[user]:password@]/path.sock[?db=N]` "
                        "(a '/', '?' or '#' in the password percent-encoded); empty = in-process cache only. While Redis is down the server answers from the local cache and "
                        "the database, `/readyz` names redis, and it reconnects by itself."},
                       &Settings::redis_url, "redis:// or unix:// URL or empty",
                       [](std::string_view text) { return url_problem(text, redis::parse_redis_url); }),
      duration_row({"TACHYON_CACHE_INVALIDATION_WAIT", "250ms",
                    "How long a write waits for every other instance to confirm it dropped its cached copies "
                    "before answering; 0 = do not wait."},
                   &Settings::cache_invalidation_wait, 0ms),
      cache_route_row("TACHYON_CACHE_USERS", "Cache of `GET /v1/users/{id}`.", &Settings::cache_users),
      cache_route_row("TACHYON_CACHE_PRODUCTS", "Cache of `GET /v1/products/{id}`.", &Settings::cache_products),
      cache_route_row("TACHYON_CACHE_PRODUCT_LISTS", "Cache of `GET /v1/products` pages.",
                      &Settings::cache_product_lists),
      cache_route_row("TACHYON_CACHE_PREDICTIONS", "Cache of `POST /v1/predict` by its input.",
                      &Settings::cache_predictions),
      cache_route_row("TACHYON_CACHE_POSTS",
                      "Cache of `GET /v1/posts/{id}`; `error=` is how long a copy stands in while the upstream "
                      "fails.",
                      &Settings::cache_posts),
      optional_url_row({"POSTS_UPSTREAM_URL", "",
                        "Base URL of the posts API behind `GET /v1/posts/{id}` (`{url}/posts/{id}`); empty = "
                        "that route answers 503."},
                       &Settings::posts_upstream_url, "http(s):// URL or empty",
                       [](std::string_view text) { return url_problem(text, upstream::parse_url); }),
      duration_row({"TACHYON_UPSTREAM_CONNECT_TIMEOUT", "1s", "Time allowed to connect to an upstream API."},
                   &Settings::upstream_connect_timeout, 1ms),
      duration_row({"TACHYON_UPSTREAM_TIMEOUT", "2s",
                    "Time allowed for an upstream API's whole response once the request is sent; slower gets "
                    "504."},
                   &Settings::upstream_timeout, 1ms),
  };
}

}  // namespace

std::string_view to_string(LogLevel level) {
  return log_level_names[static_cast<std::size_t>(level)];
}
std::string_view to_string(LogFormat format) {
  return log_format_names[static_cast<std::size_t>(format)];
}

std::string SettingSpec::flag_name_for(std::string_view variable) {
  constexpr std::string_view project_prefix = "TACHYON_";
  if (variable.starts_with(project_prefix)) {
    variable.remove_prefix(project_prefix.size());
  }
  std::string flag = "--";
  for (char character : variable) {
    flag += character == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  }
  return flag;
}

std::span<const SettingSpec> setting_specs() {
  static const std::vector<SettingSpec> specs = build_specs();
  return specs;
}

const SettingSpec* find_spec(std::string_view name) {
  bool is_flag = name.starts_with("--");
  for (const SettingSpec& spec : setting_specs()) {
    if (is_flag ? spec.flag() == name : spec.variable == name) {
      return &spec;
    }
  }
  return nullptr;
}

}  // namespace tachyon::config
