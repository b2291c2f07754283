#include "tachyon/config/settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <utility>
#include <vector>

#include "tachyon/config/setting_rows.hpp"
#include "tachyon/redis/client.hpp"
#include "tachyon/upstream/http_client.hpp"

namespace tachyon::config {
namespace {

using namespace std::chrono_literals;

// Indexed by the enum's value, so the enum order and these lists must match.
constexpr std::array<std::string_view, 6> log_level_names{"trace", "debug", "info", "warn", "error", "off"};
constexpr std::array<std::string_view, 2> log_format_names{"json", "text"};
constexpr std::array<std::string_view, 3> token_algorithm_names{"EdDSA", "ES256", "HS256"};
constexpr std::array<std::string_view, 3> client_certificate_mode_names{"off", "optional", "required"};

// Exact origins, `*`, or none; never `null` (how they combine is checked with the other settings).
ParseResult<std::vector<std::string>> parse_origin_list(std::string_view text) {
  return parse_list(text, http::cors_origin_problem, true);
}

// Route prefixes as the router's templates spell them: `/` then path characters, no parameter braces.
ParseResult<std::vector<std::string>> parse_path_prefix_list(std::string_view text) {
  return parse_list(
      text,
      [](std::string_view entry) -> std::optional<std::string> {
        bool plain = std::all_of(entry.begin(), entry.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) ||
                 std::string_view("/-._~").find(c) != std::string_view::npos;
        });
        if (entry.front() == '/' && plain) return std::nullopt;
        return "is not a path prefix (/ then letters, digits and -._~/)";
      },
      true);
}

// Paths the server reads at start and on SIGHUP (certificates, keys, OCSP responses), each readable.
ParseResult<std::vector<std::string>> parse_file_list(std::string_view text) {
  return parse_list(
      text,
      [](std::string_view entry) -> std::optional<std::string> {
        if (is_readable_file(entry)) return std::nullopt;
        return "is not a readable file";
      },
      true);
}

std::vector<SettingSpec> library_rows() {
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
      milliseconds_row({"TACHYON_SLOW_QUERY_MS", "100",
                        "Database statements taking at least this many milliseconds are logged with their SQL "
                        "(parameters masked) and duration; 0 = log every statement."},
                       &Settings::slow_query),
      secret_row({"TACHYON_SECRET_KEY", "",
                  "Key for signing and encryption (cursors, API key and refresh token hashes, sealed token "
                  "signing keys), e.g. from `openssl rand -hex 32`. Empty: a key generated once and kept in the "
                  "database, shared by every instance on it."},
                 &Settings::secret_key, 32, "(kept in the database)"),
      choice_row({"TACHYON_TOKEN_ALGORITHM", "EdDSA",
                  "Signature of access tokens (JWT): EdDSA (Ed25519), ES256 (P-256) or HS256 (a shared secret, "
                  "so no public key in the JWKS). A change makes a new signing key at start."},
                 &Settings::token_algorithm, token_algorithm_names),
      word_row({"TACHYON_TOKEN_ISSUER", "tachyon", "The `iss` of access tokens, checked on every one."},
               &Settings::token_issuer),
      word_row({"TACHYON_TOKEN_AUDIENCE", "acme", "The `aud` of access tokens, checked on every one."},
               &Settings::token_audience),
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
                        "(a '/', '?' or '#' in the password percent-encoded); empty = in-process cache only. While "
                        "Redis is down the server answers from the local cache and "
                        "the database, `/readyz` names redis, and it reconnects by itself."},
                       &Settings::redis_url, "redis:// or unix:// URL or empty",
                       [](std::string_view text) { return url_problem(text, redis::parse_redis_url); }),
      duration_row({"TACHYON_CACHE_INVALIDATION_WAIT", "250ms",
                    "How long a write waits for every other instance to confirm it dropped its cached copies "
                    "before answering; 0 = do not wait."},
                   &Settings::cache_invalidation_wait, 0ms),
      duration_row({"TACHYON_UPSTREAM_CONNECT_TIMEOUT", "1s", "Time allowed to connect to an upstream API."},
                   &Settings::upstream_connect_timeout, 1ms),
      duration_row({"TACHYON_UPSTREAM_TIMEOUT", "2s",
                    "Time allowed for an upstream API's whole response once the request is sent; slower gets "
                    "504."},
                   &Settings::upstream_timeout, 1ms),
      boolean_row({"TACHYON_COMPRESSION", "true",
                   "Compress responses with gzip or brotli as the request's `Accept-Encoding` prefers "
                   "(`Vary: Accept-Encoding`, an ETag per encoding); false: always identity."},
                  &Settings::compression),
      size_row(
          {"TACHYON_COMPRESSION_MIN_BYTES", "500", "Smaller bodies go uncompressed (FastAPI's GZipMiddleware: 500)."},
          &Settings::compression_min_bytes, 0, gibibyte),
      list_row({"TACHYON_COMPRESSION_TYPES", format_list(compress::CompressionRules{}.types),
                "Media types that are compressed; an entry ending in `/` is a whole top-level type."},
               &Settings::compression_types, "media types, comma-separated", parse_media_type_list),
      integer_row({"TACHYON_GZIP_LEVEL", "6", "zlib level of gzip answers: 1 fastest .. 9 smallest."},
                  &Settings::gzip_level, 1, 9),
      integer_row({"TACHYON_BROTLI_QUALITY", "5",
                   "Brotli quality of br answers: 0 fastest .. 11 smallest (5 is about gzip 6's speed, smaller)."},
                  &Settings::brotli_quality, 0, 11),
      optional_url_row({"TACHYON_CDN_PURGE_URL", "",
                        "Purge endpoint of the CDN in front of the server, e.g. "
                        "`https://api.cloudflare.com/client/v4/zones/ZONE/purge_cache`: every cache invalidation "
                        "posts its keys and tags there (`{\"tags\":[...]}`, the names responses carry in "
                        "`Surrogate-Key` and `Cache-Tag`); empty = no purge calls."},
                       &Settings::cdn_purge_url, "http:// or https:// URL or empty",
                       [](std::string_view text) { return url_problem(text, upstream::parse_url); }),
      secret_row({"TACHYON_CDN_PURGE_TOKEN", "", "Bearer token of the CDN purge calls."}, &Settings::cdn_purge_token, 1,
                 "(none)"),
      list_row({"TACHYON_TLS_CERT_FILE", "",
                "PEM certificate chain (leaf first) of the HTTPS listener; with TACHYON_TLS_KEY_FILE it serves "
                "HTTPS (TLS 1.2 and 1.3, Mozilla intermediate ciphers, ALPN http/1.1, HSTS) on TACHYON_TLS_PORT "
                "beside plain HTTP on TACHYON_PORT. Several, comma-separated: the client's SNI name picks the "
                "one whose DNS names (or `*.` wildcard) match, else the first. Reloaded on SIGHUP."},
               &Settings::tls_certificate_files, "paths to readable files, comma-separated", parse_file_list),
      list_row({"TACHYON_TLS_KEY_FILE", "", "PEM private key (unencrypted) of each certificate, in the same order."},
               &Settings::tls_key_files, "paths to readable files, comma-separated", parse_file_list),
      list_row({"TACHYON_TLS_OCSP_FILE", "",
                "DER OCSP responses to staple (e.g. from `openssl ocsp -respout`), each for the certificate it "
                "names; a response that is not `good` or past its nextUpdate is refused, one that expires while "
                "running stops being stapled. Refresh the files and send SIGHUP."},
               &Settings::tls_ocsp_files, "paths to readable files, comma-separated", parse_file_list),
      duration_row({"TACHYON_TLS_TICKET_KEY_LIFETIME", "1h",
                    "Session tickets are encrypted under a random key replaced this often, and resume for this "
                    "long; the previous key is kept one more lifetime for the tickets it issued, then wiped. "
                    "0 = no tickets (the server's session cache still resumes)."},
                   &Settings::tls_ticket_key_lifetime, std::chrono::milliseconds(0), std::chrono::hours(24)),
      integer_row({"TACHYON_TLS_PORT", "8443", "TCP port of the HTTPS listener; 0 = an ephemeral port."},
                  &Settings::tls_port, 0, 65535),
      boolean_row({"TACHYON_HTTPS_REDIRECT", "false",
                   "With HTTPS on, answer every plain-HTTP request but `/healthz` and `/readyz` with 308 to the "
                   "same URL on https:// and TACHYON_TLS_PORT (which must then be fixed, not 0)."},
                  &Settings::https_redirect),
      choice_row({"TACHYON_TLS_CLIENT_AUTH", "off",
                  "Mutual TLS on the HTTPS listener: `optional` asks for a client certificate issued by "
                  "TACHYON_TLS_CLIENT_CA_FILE, `required` also refuses handshakes without one. An expired, "
                  "untrusted or revoked certificate always fails the handshake. Without a token or API key, a "
                  "verified certificate is the request's principal: `service:<name>` (its first DNS "
                  "subjectAltName, else its commonName), with the scopes of TACHYON_TLS_CLIENT_SCOPES."},
                 &Settings::tls_client_auth, client_certificate_mode_names),
      file_row({"TACHYON_TLS_CLIENT_CA_FILE", "",
                "PEM certificates of the CAs whose client certificates are trusted (needed by mutual TLS)."},
               &Settings::tls_client_ca_file),
      file_row({"TACHYON_TLS_CLIENT_CRL_FILE", "",
                "PEM revocation lists of those CAs; a certificate they revoke fails the handshake, and so does "
                "every certificate of a CA whose list is missing or past its nextUpdate. Reloaded on SIGHUP."},
               &Settings::tls_client_crl_file),
      list_row({"TACHYON_TLS_CLIENT_PREFIXES", "",
                "Route prefixes, e.g. `/internal,/v1/admin`, that answer only requests with a verified client "
                "certificate (403 otherwise, tokens notwithstanding): mutual TLS per prefix with "
                "TACHYON_TLS_CLIENT_AUTH=optional."},
               &Settings::tls_client_prefixes, "route prefixes, comma-separated", parse_path_prefix_list),
      scope_grants_row({"TACHYON_TLS_CLIENT_SCOPES", "",
                        "The scopes each client certificate's service is granted, by certificate name, e.g. "
                        "`billing.acme.internal=orders:read users:read`; a trusted certificate not named here "
                        "gets no scopes."},
                       "service", &Settings::tls_client_scopes),
      product_row({"TACHYON_SERVER_HEADER", "tachyon",
                   "The `Server` field of every answer, a product token without a version by default (a version "
                   "tells attackers which advisories apply); empty = no `Server` field."},
                  &Settings::server_header),
      boolean_row({"TACHYON_SECURITY_HEADERS", "true",
                   "Send `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: "
                   "no-referrer` and a `Content-Security-Policy` (`default-src 'none'; frame-ancestors 'none'`, "
                   "the docs page its own) on every answer."},
                  &Settings::security_headers),
      list_row({"TACHYON_CORS_ORIGINS", "",
                "Origins whose browser pages may read answers (CORS), exact, e.g. "
                "`https://app.example.com,https://admin.example.com`; `*` = any origin (without credentials); "
                "empty = no CORS headers."},
               &Settings::cors_origins, "origins, comma-separated, or *", parse_origin_list),
      boolean_row({"TACHYON_CORS_CREDENTIALS", "false",
                   "`Access-Control-Allow-Credentials: true` for the listed origins (not with `*`)."},
                  &Settings::cors_credentials),
      list_row({"TACHYON_CORS_METHODS", format_list(http::CorsOptions{}.methods),
                "Methods a preflight allows the listed origins."},
               &Settings::cors_methods, "methods, comma-separated", parse_token_list),
      list_row({"TACHYON_CORS_HEADERS", format_list(http::CorsOptions{}.request_headers),
                "Request headers a preflight allows (compared ignoring case)."},
               &Settings::cors_request_headers, "header names, comma-separated", parse_token_list),
      list_row({"TACHYON_CORS_EXPOSE_HEADERS", format_list(http::CorsOptions{}.exposed_headers),
                "Response headers other origins' scripts may read, beyond the CORS-safelisted ones."},
               &Settings::cors_exposed_headers, "header names, comma-separated", parse_token_list),
      duration_row({"TACHYON_CORS_MAX_AGE", "10m", "How long a browser may reuse a preflight's answer."},
                   &Settings::cors_max_age, 0ms, std::chrono::hours(24)),
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

SettingsTable::SettingsTable(std::vector<SettingSpec> rows) {
  add(std::move(rows));
}

void SettingsTable::add(std::vector<SettingSpec> rows) {
  for (SettingSpec& row : rows) {
    if (find(row.variable) != nullptr || find(row.flag()) != nullptr) {
      throw std::logic_error("setting " + row.variable + " is declared twice");
    }
    rows_.push_back(std::move(row));
  }
}

void SettingsTable::narrow(std::string_view variable,
                           std::function<std::optional<std::string>(const Settings&)> check) {
  auto row =
      std::find_if(rows_.begin(), rows_.end(), [&](const SettingSpec& spec) { return spec.variable == variable; });
  if (row == rows_.end()) throw std::logic_error("no setting " + std::string(variable) + " to narrow");
  row->bind = [bind = std::move(row->bind), check = std::move(check)](
                  Settings& settings, std::string_view text) -> std::optional<std::string> {
    Settings candidate = settings;  // at load time only: the binder's contract leaves `settings` untouched on failure
    if (std::optional<std::string> problem = bind(candidate, text)) return problem;
    if (std::optional<std::string> refused = check(candidate)) return refused;
    settings = std::move(candidate);
    return std::nullopt;
  };
}

const SettingSpec* SettingsTable::find(std::string_view name) const {
  bool is_flag = name.starts_with("--");
  for (const SettingSpec& spec : rows_) {
    if (is_flag ? spec.flag() == name : spec.variable == name) {
      return &spec;
    }
  }
  return nullptr;
}

std::optional<std::string> library_combination_problem(const Settings& settings, std::string& variable) {
  std::size_t certificates = settings.tls_certificate_files.size();
  std::size_t keys = settings.tls_key_files.size();
  if (certificates != keys) {
    bool fewer_certificates = certificates < keys;
    variable = fewer_certificates ? "TACHYON_TLS_CERT_FILE" : "TACHYON_TLS_KEY_FILE";
    return "names " + std::to_string(std::min(certificates, keys)) + " file(s) while its pair names " +
           std::to_string(std::max(certificates, keys)) + ": HTTPS needs each certificate with its key";
  }
  if (settings.tls_certificate_files.empty() && !settings.tls_ocsp_files.empty()) {
    variable = "TACHYON_TLS_OCSP_FILE";
    return "is set without an HTTPS listener (TACHYON_TLS_CERT_FILE, TACHYON_TLS_KEY_FILE)";
  }
  if (settings.tls_ticket_key_lifetime.count() % 1000 != 0) {
    variable = "TACHYON_TLS_TICKET_KEY_LIFETIME";
    return "is not a whole number of seconds";
  }
  if (settings.https_redirect && (settings.tls_certificate_files.empty() || settings.tls_port == 0)) {
    variable = "TACHYON_HTTPS_REDIRECT";
    return "is true without an HTTPS listener on a fixed port (TACHYON_TLS_CERT_FILE, TACHYON_TLS_KEY_FILE, "
           "TACHYON_TLS_PORT other than 0)";
  }
  bool client_auth = settings.tls_client_auth != ClientCertificateMode::off;
  if (client_auth && (settings.tls_certificate_files.empty() || settings.tls_client_ca_file.empty())) {
    variable = "TACHYON_TLS_CLIENT_AUTH";
    return "is on without an HTTPS listener and the CAs to trust (TACHYON_TLS_CERT_FILE, TACHYON_TLS_KEY_FILE, "
           "TACHYON_TLS_CLIENT_CA_FILE)";
  }
  if (!client_auth) {
    const char* needs_client_auth = !settings.tls_client_ca_file.empty()    ? "TACHYON_TLS_CLIENT_CA_FILE"
                                    : !settings.tls_client_crl_file.empty() ? "TACHYON_TLS_CLIENT_CRL_FILE"
                                    : !settings.tls_client_prefixes.empty() ? "TACHYON_TLS_CLIENT_PREFIXES"
                                    : !settings.tls_client_scopes.empty()   ? "TACHYON_TLS_CLIENT_SCOPES"
                                                                            : nullptr;
    if (needs_client_auth != nullptr) {
      variable = needs_client_auth;
      return "is set while TACHYON_TLS_CLIENT_AUTH is off: mutual TLS would silently not apply";
    }
  }
  if (std::optional<std::string> problem =
          http::cors_problem({.origins = settings.cors_origins, .allow_credentials = settings.cors_credentials})) {
    variable = "TACHYON_CORS_ORIGINS";
    return problem;
  }
  return std::nullopt;
}

SettingsTable library_settings() {
  return SettingsTable(library_rows());
}

}  // namespace tachyon::config
