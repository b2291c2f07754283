// The middlewares every Tachyon server runs, outermost first: access log, request id, response timing,
// security headers, CORS (http/cors.hpp, when origins are configured), representation (Cache-Control,
// compression, 304), error mapping to RFC 9457 problem+json, and access control
// (auth/access_middleware.hpp).
// make_standard_pipeline() installs them in that order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/auth/authenticator.hpp"
#include "tachyon/auth/client_certificates.hpp"
#include "tachyon/auth/security_events.hpp"
#include "tachyon/compress/content_coding.hpp"
#include "tachyon/http/cors.hpp"
#include "tachyon/http/middleware.hpp"
#include "tachyon/observe/observe_middleware.hpp"

namespace tachyon::http {

// Accepts a client's X-Request-ID when sane (1-128 of [A-Za-z0-9._:-]), else makes a random one;
// echoes it on every response.
class RequestIdMiddleware final : public Middleware {
 public:
  boost::asio::awaitable<void> handle(Context& context, Next next) override;
  static bool is_sane_request_id(std::string_view value);
};

// Adds `X-Response-Time: 0.412ms`, measured from the end of parsing to the end of the handler.
class TimingMiddleware final : public Middleware {
 public:
  boost::asio::awaitable<void> handle(Context& context, Next next) override;
};

// Tells browsers to treat every answer strictly (OWASP REST Security Cheat Sheet), errors included:
// `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, and the
// route's Content-Security-Policy or the API's own `default-src 'none'; frame-ancestors 'none'` (an API
// answer loads nothing and is framed by nobody); over TLS also `Strict-Transport-Security`.
class SecurityHeadersMiddleware final : public Middleware {
 public:
  // The fields of an answer with the API's policy, not HSTS: also what ServerOptions'
  // protocol_error_headers should hold when this middleware is in the pipeline.
  static HeaderLines api_headers();

  SecurityHeadersMiddleware();
  boost::asio::awaitable<void> handle(Context& context, Next next) override;

 private:
  HeaderLines common_;              // all but the policy
  HeaderLines with_api_policy_;     // and the API's policy
  HeaderLines transport_security_;  // HSTS, on answers over TLS
};

// With HTTPS on, makes the plain listener a pointer to it: every request there but `exempt_paths` (the
// health probes a load balancer sends over plain HTTP) gets 308 Permanent Redirect to the same target on
// https://<its Host>:<tls_port>, method and body kept (RFC 9110 §15.4.9). A Host that is no host name or
// IP literal gets 400 rather than a redirect to wherever it points.
class HttpsRedirectMiddleware final : public Middleware {
 public:
  HttpsRedirectMiddleware(std::uint16_t tls_port, std::vector<std::string> exempt_paths)
      : port_suffix_(tls_port == 443 ? "" : ":" + std::to_string(tls_port)), exempt_paths_(std::move(exempt_paths)) {}
  boost::asio::awaitable<void> handle(Context& context, Next next) override;

 private:
  std::string port_suffix_;
  std::vector<std::string> exempt_paths_;
};

// Settles how an answer goes out once the handler has made it: the route's Cache-Control on 2xx
// answers, compression negotiated from Accept-Encoding (gzip or br, `Vary: Accept-Encoding`, a distinct
// ETag per encoding, streamed bodies compressed as they go), then 304 Not Modified when the client's
// If-None-Match or If-Modified-Since shows its copy is current. Null `compression`: nothing is compressed.
class RepresentationMiddleware final : public Middleware {
 public:
  explicit RepresentationMiddleware(std::optional<compress::CompressionRules> compression)
      : compression_(std::move(compression)) {}
  boost::asio::awaitable<void> handle(Context& context, Next next) override;

 private:
  void encode(Context& context) const;
  std::optional<compress::CompressionRules> compression_;
};

// Turns HttpError into its problem+json and any other exception into a 500 that names only the request
// id; the connection and the event loop survive. The exception's text is logged, never sent.
class ErrorMiddleware final : public Middleware {
 public:
  boost::asio::awaitable<void> handle(Context& context, Next next) override;
};

// One structured line per request: method, route template, path, status, bytes, duration, request id,
// client ip, and the principal's subject and authentication method. Never the query string (it may carry
// credentials) nor any header value.
class AccessLogMiddleware final : public Middleware {
 public:
  boost::asio::awaitable<void> handle(Context& context, Next next) override;
};

// A new random request id: 32 hex digits, written into `out` (reusing its capacity).
void assign_new_request_id(std::string& out);
std::string new_request_id();

struct StandardPipelineOptions {
  bool access_log = true;
  // When set, the observe middleware (metrics, traceparent, Server-Timing, slow log) runs outermost.
  std::optional<observe::ObserveOptions> observe;
  // Verifies credentials for the access middleware; null = no credential is accepted.
  std::shared_ptr<auth::Authenticator> authenticator;
  std::shared_ptr<const auth::SecurityEvents> security_events;
  // Mutual TLS: the principals client certificates stand for and the prefixes that need one; null = off.
  std::shared_ptr<const auth::ClientCertificates> client_certificates;
  // Response compression; nullopt turns it off.
  std::optional<compress::CompressionRules> compression = compress::CompressionRules{};
  bool security_headers = true;
  // Set (to the HTTPS port): plain-HTTP requests are redirected there (HttpsRedirectMiddleware).
  std::optional<std::uint16_t> https_redirect_port;
  // Cross-origin browser access; nullopt (or no origins): no CORS headers, preflights are plain OPTIONS.
  std::optional<CorsOptions> cors;
};

// Throws std::invalid_argument when a route declares no access (RouteAccess).
Pipeline make_standard_pipeline(Router router, const StandardPipelineOptions& options);

}  // namespace tachyon::http
