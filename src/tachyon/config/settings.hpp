// Tachyon's typed runtime settings, and the settings table that names, documents and parses each one.
// The library's settings are members of Settings, with their rows in library_settings() (settings.cpp);
// an app keeps its own in a struct of its own (a section, in Settings::apps) and adds their rows to the
// table it serves with (app/acme/settings.cpp), so the library knows nothing of any app.
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "tachyon/compress/content_coding.hpp"
#include "tachyon/config/scope_grants.hpp"
#include "tachyon/http/cors_options.hpp"

namespace tachyon::config {

enum class LogLevel { trace, debug, info, warn, error, off };
enum class LogFormat { json, text };
enum class TokenAlgorithm { eddsa, es256, hs256 };             // as auth::JwsAlgorithm
enum class ClientCertificateMode { off, optional, required };  // as tls::ClientAuth

std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);

// The apps' settings sections, one per struct type; a section not yet written reads as its defaults.
class AppSections {
 public:
  template <typename Section>
  Section& get() {
    std::any& slot = sections_[std::type_index(typeid(Section))];
    if (!slot.has_value()) slot = Section{};
    return std::any_cast<Section&>(slot);
  }

  template <typename Section>
  const Section& get() const {
    static const Section defaults{};
    auto found = sections_.find(std::type_index(typeid(Section)));
    return found == sections_.end() ? defaults : std::any_cast<const Section&>(found->second);
  }

 private:
  std::unordered_map<std::type_index, std::any> sections_;
};

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;  // 0 = an ephemeral port chosen by the OS
  unsigned workers = 0;       // 0 = one per CPU core

  std::size_t max_connections = 10'000;  // per process; accepting pauses when reached

  std::size_t max_request_line_bytes = 8 * 1024;  // above: 414 URI Too Long
  std::size_t max_header_bytes = 16 * 1024;       // above: 431 Request Header Fields Too Large
  std::size_t max_header_count = 100;             // above: 431
  std::size_t max_body_bytes = 1024 * 1024;       // above: 413 Content Too Large

  std::chrono::milliseconds header_timeout{10'000};  // whole request head must arrive in time
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection with no request
  std::chrono::milliseconds body_timeout{30'000};    // above: 408 Request Timeout
  std::chrono::milliseconds drain_timeout{10'000};   // graceful shutdown waits at most this long

  std::uint64_t max_requests_per_connection = 0;  // 0 = unlimited

  LogLevel log_level = LogLevel::info;
  LogFormat log_format = LogFormat::json;
  bool access_log = true;
  bool metrics = true;                            // record request metrics, serve GET /metrics
  bool server_timing = false;                     // Server-Timing header (reveals internals)
  std::chrono::milliseconds slow_request{1'000};  // log slower requests with their spans; 0 = off
  bool profiling = false;                         // GET /debug/pprof/profile (admin scope)
  bool metrics_public = true;                     // false: GET /metrics needs the admin scope

  std::chrono::milliseconds slow_query{100};

  std::string secret_key;  // empty = a key generated once and kept in the database

  TokenAlgorithm token_algorithm = TokenAlgorithm::eddsa;
  std::string token_issuer = "tachyon";
  std::string token_audience = "acme";
  std::chrono::milliseconds access_token_ttl{15 * 60 * 1000};
  std::chrono::milliseconds refresh_token_ttl{30ll * 24 * 3600 * 1000};
  std::size_t password_memory_bytes = 19 * 1024 * 1024;  // argon2id m (OWASP: 19 MiB)
  std::uint64_t password_iterations = 2;                 // argon2id t (OWASP: 2)
  unsigned password_threads = 1;                         // the hashing pool, apart from the event loops

  std::string redis_url;                                   // empty = local cache only
  std::chrono::milliseconds cache_invalidation_wait{250};  // how long a write waits for other instances
  std::chrono::milliseconds upstream_connect_timeout{1'000};
  std::chrono::milliseconds upstream_timeout{2'000};  // whole response after the request was sent

  bool compression = true;  // gzip and brotli by Accept-Encoding
  std::size_t compression_min_bytes = compress::CompressionRules{}.min_bytes;
  std::vector<std::string> compression_types = compress::CompressionRules{}.types;
  int gzip_level = compress::CompressionLevels{}.gzip_level;
  int brotli_quality = compress::CompressionLevels{}.brotli_quality;

  std::string cdn_purge_url;    // empty = no CDN purge hook
  std::string cdn_purge_token;  // bearer token of the purge calls

  std::vector<std::string> tls_certificate_files;  // set with the keys: serve HTTPS on tls_port too
  std::vector<std::string> tls_key_files;          // one per certificate, in its order
  std::vector<std::string> tls_ocsp_files;         // DER OCSP responses to staple
  std::chrono::milliseconds tls_ticket_key_lifetime = std::chrono::hours(1);  // 0 = no session tickets
  std::uint16_t tls_port = 8443;
  bool https_redirect = false;                                         // the plain listener redirects to HTTPS (308)
  ClientCertificateMode tls_client_auth = ClientCertificateMode::off;  // mutual TLS
  std::string tls_client_ca_file;                                      // the CAs of trusted client certificates
  std::string tls_client_crl_file;                                     // their revocation lists; empty = none checked
  std::vector<std::string> tls_client_prefixes;                        // route prefixes that need a client certificate
  ScopeGrants tls_client_scopes;                                       // certificate name → its service's scopes

  std::string server_header = "tachyon";  // the Server field; empty = none
  bool security_headers = true;           // nosniff, X-Frame-Options, Referrer-Policy, CSP
  std::vector<std::string> cors_origins;  // empty = no CORS; {"*"} = any origin
  bool cors_credentials = false;
  std::vector<std::string> cors_methods = http::CorsOptions{}.methods;
  std::vector<std::string> cors_request_headers = http::CorsOptions{}.request_headers;
  std::vector<std::string> cors_exposed_headers = http::CorsOptions{}.exposed_headers;
  std::chrono::milliseconds cors_max_age = http::CorsOptions{}.max_age;

  AppSections apps;  // each app's own settings (e.g. app::acme::AcmeSettings)
};

// One row of the settings table. Everything user-facing about a setting (its variable, flag,
// docs row, parser and effective-value rendering) comes from this row, so they cannot drift.
struct SettingSpec {
  // Parses `text` into the setting's member; on failure returns why, phrased to follow the
  // quoted input ("is not an integer between 0 and 65535") and leaves `settings` untouched.
  using Binder = std::function<std::optional<std::string>(Settings& settings, std::string_view text)>;
  // The member's current value in the syntax the binder accepts (unmasked, even for secrets).
  using Renderer = std::function<std::string(const Settings& settings)>;

  std::string variable;      // environment / .env name, e.g. TACHYON_PORT or DATABASE_URL
  std::string type;          // for docs, e.g. "integer 0..65535"
  std::string default_text;  // for docs; a test checks it parses to the Settings default
  std::string description;   // for docs
  bool secret = false;       // never shown in effective config or error messages
  std::string empty_text;    // shown instead of an empty value, e.g. "(generated at start)"
  // When set, what may be shown of a value (e.g. a URL without its password); empty = show all.
  std::function<std::string(std::string_view value)> redact;
  Binder bind;
  Renderer render;

  std::string flag() const { return flag_name_for(variable); }

  // TACHYON_MAX_BODY_BYTES -> --max-body-bytes; DATABASE_URL -> --database-url.
  static std::string flag_name_for(std::string_view variable);
};

// The settings table: rows in documentation order, the library's first, then each app's.
class SettingsTable {
 public:
  explicit SettingsTable(std::vector<SettingSpec> rows);
  // Appends an app's rows; throws std::logic_error when a variable or flag is already taken.
  void add(std::vector<SettingSpec> rows);
  // An app narrows a library setting to what it accepts (Acme: only its own scope names): `check` sees
  // the settings the row's value would produce and refuses them with a reason, as a binder does. Throws
  // std::logic_error for an unknown variable.
  void narrow(std::string_view variable, std::function<std::optional<std::string>(const Settings&)> check);
  std::span<const SettingSpec> specs() const { return rows_; }
  // The row whose variable (or flag, when `name` starts with "--") is `name`, if any.
  const SettingSpec* find(std::string_view name) const;

 private:
  std::vector<SettingSpec> rows_;
};

// The library's own rows (server, logs, metrics, identity, Redis, upstream clients).
SettingsTable library_settings();

// Settings each valid alone but not together (credentials with any origin); sets `variable` to the one
// to name in the error.
std::optional<std::string> library_combination_problem(const Settings& settings, std::string& variable);

}  // namespace tachyon::config
