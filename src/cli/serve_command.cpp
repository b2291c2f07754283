// `tachyon serve`: loads the settings, builds the routes and the standard pipeline, and serves until
// SIGINT/SIGTERM, draining in-flight requests before exit.
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <variant>

#include "app/acme/acme.hpp"
#include "app/acme/settings.hpp"
#include "app/hello/hello_routes.hpp"
#include "cli/commands.hpp"
#include "tachyon/cache/admin_routes.hpp"
#include "tachyon/cache/cache_metrics.hpp"
#include "tachyon/cache/cdn_purge.hpp"
#include "tachyon/cache/tiered_cache.hpp"
#include "tachyon/core/url.hpp"
#include "tachyon/http/server.hpp"
#include "tachyon/http/standard_middleware.hpp"
#include "tachyon/observe/health.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/observe/metrics_route.hpp"
#include "tachyon/observe/process_metrics.hpp"
#include "tachyon/observe/profiling_route.hpp"
#include "tachyon/openapi/docs_routes.hpp"

namespace tachyon::cli {

namespace {

observe::LogLevel to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace:
      return observe::LogLevel::trace;
    case config::LogLevel::debug:
      return observe::LogLevel::debug;
    case config::LogLevel::info:
      return observe::LogLevel::info;
    case config::LogLevel::warn:
      return observe::LogLevel::warn;
    case config::LogLevel::error:
      return observe::LogLevel::error;
    case config::LogLevel::off:
      return observe::LogLevel::off;
  }
  return observe::LogLevel::info;
}

tls::ClientAuth client_auth(config::ClientCertificateMode mode) {
  switch (mode) {
    case config::ClientCertificateMode::off:
      return tls::ClientAuth::off;
    case config::ClientCertificateMode::optional:
      return tls::ClientAuth::optional;
    case config::ClientCertificateMode::required:
      return tls::ClientAuth::required;
  }
  return tls::ClientAuth::off;
}

http::ServerOptions server_options(const config::Settings& settings) {
  http::ServerOptions options;
  options.host = settings.host;
  options.port = settings.port;
  options.workers = settings.workers;
  options.max_connections = settings.max_connections;
  options.limits.max_request_line_bytes = settings.max_request_line_bytes;
  options.limits.max_header_bytes = settings.max_header_bytes;
  options.limits.max_header_count = settings.max_header_count;
  options.limits.max_body_bytes = settings.max_body_bytes;
  options.header_timeout = settings.header_timeout;
  options.idle_timeout = settings.idle_timeout;
  options.body_timeout = settings.body_timeout;
  options.drain_timeout = settings.drain_timeout;
  options.max_requests_per_connection = settings.max_requests_per_connection;
  options.server_header = settings.server_header;
  if (settings.security_headers) options.protocol_error_headers = http::SecurityHeadersMiddleware::api_headers();
  if (!settings.tls_certificate_files.empty()) {
    tls::ServerContextOptions tls_options{
        .ocsp_response_files = settings.tls_ocsp_files,
        .ticket_key_lifetime = std::chrono::duration_cast<std::chrono::seconds>(settings.tls_ticket_key_lifetime),
        .client_auth = client_auth(settings.tls_client_auth),
        .client_ca_file = settings.tls_client_ca_file,
        .client_crl_file = settings.tls_client_crl_file};
    for (std::size_t index = 0; index < settings.tls_certificate_files.size(); ++index) {
      tls_options.certificates.push_back({.certificate_file = settings.tls_certificate_files[index],
                                          .private_key_file = settings.tls_key_files[index]});
    }
    options.tls = std::make_shared<tls::ReloadableContext>(std::move(tls_options));
    options.tls_port = settings.tls_port;
  }
  return options;
}

// The observe middleware runs when anything needs it; with all three off a request skips it entirely.
std::optional<observe::ObserveOptions> observe_options(const config::Settings& settings) {
  if (!settings.metrics && !settings.server_timing && settings.slow_request.count() == 0) return std::nullopt;
  return observe::ObserveOptions{
      .metrics = settings.metrics, .server_timing = settings.server_timing, .slow_request = settings.slow_request};
}

std::string base_url(const config::Settings& settings, std::string_view scheme, std::uint16_t port) {
  bool ipv6 = settings.host.find(':') != std::string::npos;
  return std::string(scheme) + "://" + (ipv6 ? "[" + settings.host + "]" : settings.host) + ":" + std::to_string(port);
}

std::shared_ptr<cache::TieredCache> make_cache(const config::Settings& settings) {
  cache::TieredCacheOptions options;
  options.acknowledgement_timeout = settings.cache_invalidation_wait;
  if (!settings.redis_url.empty()) {
    options.redis = redis::parse_redis_url(settings.redis_url);
    observe::log_info("cache: Redis tier", {{"url", std::string_view(core::redact_url(settings.redis_url))}});
  }
  return std::make_shared<cache::TieredCache>(std::move(options));
}

// The CDN purge hook, when a purge URL is set.
std::shared_ptr<cache::CdnPurger> make_cdn_purger(const config::Settings& settings) {
  if (settings.cdn_purge_url.empty()) return nullptr;
  observe::log_info("cache: CDN purge hook", {{"url", std::string_view(core::redact_url(settings.cdn_purge_url))}});
  return std::make_shared<cache::CdnPurger>(cache::CdnPurgeOptions{.url = settings.cdn_purge_url,
                                                                   .token = settings.cdn_purge_token,
                                                                   .connect_timeout = settings.upstream_connect_timeout,
                                                                   .timeout = settings.upstream_timeout});
}

std::optional<compress::CompressionRules> compression_rules(const config::Settings& settings) {
  if (!settings.compression) return std::nullopt;
  return compress::CompressionRules{
      .min_bytes = settings.compression_min_bytes,
      .types = settings.compression_types,
      .levels = {.gzip_level = settings.gzip_level, .brotli_quality = settings.brotli_quality}};
}

// Mutual TLS as a credential, when it is on.
std::shared_ptr<const auth::ClientCertificates> client_certificates(const config::Settings& settings) {
  if (settings.tls_client_auth == config::ClientCertificateMode::off) return nullptr;
  return std::make_shared<const auth::ClientCertificates>(auth::ClientCertificateRules{
      .service_scopes = settings.tls_client_scopes, .required_path_prefixes = settings.tls_client_prefixes});
}

std::optional<http::CorsOptions> cors_options(const config::Settings& settings) {
  if (settings.cors_origins.empty()) return std::nullopt;
  return http::CorsOptions{.origins = settings.cors_origins,
                           .allow_credentials = settings.cors_credentials,
                           .methods = settings.cors_methods,
                           .request_headers = settings.cors_request_headers,
                           .exposed_headers = settings.cors_exposed_headers,
                           .max_age = std::chrono::duration_cast<std::chrono::seconds>(settings.cors_max_age)};
}

}  // namespace

int serve_command(int argument_count, char** arguments) {
  std::optional<config::Settings> loaded = load_or_report(argument_count, arguments);
  if (!loaded) return 2;
  const config::Settings& settings = *loaded;
  observe::configure_logging(to_log_level(settings.log_level), settings.log_format == config::LogFormat::json
                                                                   ? observe::LogFormat::json
                                                                   : observe::LogFormat::text);
  try {
    std::shared_ptr<cache::TieredCache> cache = make_cache(settings);
    std::shared_ptr<cache::CdnPurger> cdn_purger = make_cdn_purger(settings);
    app::acme::Acme acme(app::acme::acme_options(settings, cache, cdn_purger));
    http::Router router;
    // `/readyz` names the dependency that failed: "postgres" for a PostgreSQL database, else "database".
    const char* database_check = acme.database().dialect() == db::Dialect::postgresql ? "postgres" : "database";
    std::vector<observe::ReadinessCheck> checks{{database_check, [&acme] { return acme.database_ready(); }}};
    if (cache->redis_configured()) {
      checks.push_back({"redis", [cache]() -> boost::asio::awaitable<bool> { co_return cache->redis_connected(); }});
    }
    observe::add_health_routes(router, std::move(checks));
    if (settings.metrics) {
      observe::register_process_metrics(observe::default_registry());
      cache::register_cache_metrics(observe::default_registry(), cache);
      observe::add_metrics_route(router, settings.metrics_public);
    }
    cache::add_cache_admin_routes(router, cache, cdn_purger);
    if (settings.profiling) observe::add_profiling_route(router);
    app::hello::add_routes(router);
    acme.add_routes(router);
    // Last: the OpenAPI document is generated from every route added before this line.
    openapi::add_docs_routes(router);
    std::vector<const http::Route*> routes = router.routes();
    http::Pipeline pipeline = http::make_standard_pipeline(
        std::move(router),
        {.access_log = settings.access_log,
         .observe = observe_options(settings),
         .authenticator = acme.authenticator(),
         .security_events = acme.security_events(),
         .client_certificates = client_certificates(settings),
         .compression = compression_rules(settings),
         .security_headers = settings.security_headers,
         .https_redirect_port =
             settings.https_redirect ? std::optional<std::uint16_t>(settings.tls_port) : std::nullopt,
         .cors = cors_options(settings)});
    http::ServerOptions options = server_options(settings);
    options.on_loop_start = [cache](boost::asio::io_context& io) { cache->prepare_loop(io); };
    http::Server server(std::move(options), std::move(pipeline));
    server.run_until_signal([&] {
      std::string url = base_url(settings, "http", server.port());
      observe::log_info("listening", {{"url", std::string_view(url)},
                                      {"workers", static_cast<std::int64_t>(server.worker_count())},
                                      {"version", TACHYON_VERSION}});
      if (server.tls_port() != 0) {
        std::string secure_url = base_url(settings, "https", server.tls_port());
        observe::log_info("listening", {{"url", std::string_view(secure_url)}, {"tls", "TLS 1.2, TLS 1.3"}});
      }
      for (const http::Route* route : routes) {
        observe::log_info("route", {{"method", http::method_name(route->method)},
                                    {"url", std::string_view(url + route->path_template)}});
      }
    });
    observe::log_info("stopped");
    return 0;
  } catch (const std::exception& error) {
    observe::log_error("cannot serve", {{"error", std::string_view(error.what())}});
    std::fprintf(stderr, "tachyon: %s\n", error.what());
    return 1;
  }
}

}  // namespace tachyon::cli
