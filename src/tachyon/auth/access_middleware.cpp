#include "tachyon/auth/access_middleware.hpp"

#include "tachyon/http/client_address.hpp"
#include "tachyon/http/errors.hpp"

namespace tachyon::auth {

AccessMiddleware::AccessMiddleware(std::shared_ptr<Authenticator> authenticator,
                                   std::shared_ptr<const SecurityEvents> events,
                                   std::shared_ptr<const ClientCertificates> client_certificates)
    : authenticator_(std::move(authenticator)),
      events_(std::move(events)),
      client_certificates_(std::move(client_certificates)) {}

boost::asio::awaitable<void> AccessMiddleware::handle(http::Context& context, http::Next next) {
  if (context.route == nullptr) {  // 404, 405, OPTIONS: nothing to protect
    co_await next(context);
    co_return;
  }
  const http::RouteAccess& access = context.route->metadata.access;
  // Compared with the route's template, not the raw path, so no spelling of the path slips past.
  if (client_certificates_ && context.client_certificate.empty() &&
      client_certificates_->required_for(context.route->path_template)) {
    refuse(context, 403, "no_client_certificate",
           "this resource needs a verified client certificate (mutual TLS over HTTPS)", "");
  }
  Credentials credentials = find_credentials(context.request);
  if (credentials.kind == Credentials::Kind::malformed) {
    refuse(context, 401, "malformed_credentials",
           "credentials must be one `Authorization: Bearer <token>` or one `X-API-Key` header",
           "Bearer error=\"invalid_request\"");
  }
  if (credentials.kind != Credentials::Kind::none) {
    if (authenticator_ == nullptr) {
      refuse(context, 401, "no_authenticator", "this server accepts no credentials", "Bearer error=\"invalid_token\"");
    }
    Authentication result = co_await authenticator_->authenticate(credentials, context.client_address);
    if (!result.principal) {
      if (events_) {
        events_->emit({.type = SecurityEventType::credential_rejected,
                       .client_address = context.client_address,
                       .method = method_name(result.method),
                       .what = context.route->path_template,
                       .reason = result.failure,
                       .request_id = context.request_id,
                       .status = 401});
      }
      throw_refusal(401, "the credentials are not valid (" + std::string(result.failure) + ")",
                    "Bearer error=\"invalid_token\"");
    }
    context.principal = std::move(result.principal);
  } else if (client_certificates_ && !context.client_certificate.empty()) {
    context.principal = client_certificates_->principal_for(context.client_certificate);
  }
  if (access.loopback_only && !http::is_loopback_address(context.client_address)) {
    refuse(context, 403, "not_loopback", "this resource is served only to loopback clients", "");
  }
  if (access.level == http::RouteAccess::Level::public_route) {
    co_await next(context);
    co_return;
  }
  if (!context.principal) refuse(context, 401, "no_credentials", "this resource needs credentials", "Bearer");
  for (const std::string& scope : access.scopes) {
    if (context.principal->has_scope(scope)) continue;
    refuse(context, 403, "missing_scope", "missing scope: " + scope,
           "Bearer error=\"insufficient_scope\", scope=\"" + scope + "\"");
  }
  co_await next(context);
}

void AccessMiddleware::refuse(http::Context& context, int status, std::string_view reason, std::string detail,
                              std::string challenge) const {
  if (events_) {
    events_->emit({.type = SecurityEventType::access_denied,
                   .subject = context.principal ? std::string_view(context.principal->subject) : std::string_view(),
                   .client_address = context.client_address,
                   .method = context.principal ? method_name(context.principal->method) : std::string_view(),
                   .what = context.route->path_template,
                   .reason = reason,
                   .request_id = context.request_id,
                   .status = status});
  }
  throw_refusal(status, std::move(detail), std::move(challenge));
}

void AccessMiddleware::throw_refusal(int status, std::string detail, std::string challenge) {
  http::HttpError error(status, std::move(detail));
  if (!challenge.empty()) error.with_header("WWW-Authenticate", std::move(challenge));
  throw error;
}

}  // namespace tachyon::auth
