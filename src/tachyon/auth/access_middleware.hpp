// The one place route access is enforced. For every matched route it finds the request's credentials,
// authenticates them (an invalid credential is a 401 even on a public route: the client should learn
// its token is bad), and then applies the route's declaration: public routes pass; the rest need a
// principal (401 with `WWW-Authenticate: Bearer`, RFC 6750 §3) and every declared scope (403 naming the
// missing scope, with `error="insufficient_scope"`); loopback-only routes also refuse other addresses.
// Without a token or key, a verified client certificate (mutual TLS) is the credential; routes under a
// prefix that needs one refuse requests without it (403), whatever else they carry.
// Every refusal is a security event.
#pragma once

#include <memory>

#include "tachyon/auth/authenticator.hpp"
#include "tachyon/auth/client_certificates.hpp"
#include "tachyon/auth/security_events.hpp"
#include "tachyon/http/middleware.hpp"

namespace tachyon::auth {

class AccessMiddleware final : public http::Middleware {
 public:
  // `authenticator` may be null: then no token or key is accepted. `client_certificates` null: mutual
  // TLS is off and certificates are no credential.
  AccessMiddleware(std::shared_ptr<Authenticator> authenticator, std::shared_ptr<const SecurityEvents> events,
                   std::shared_ptr<const ClientCertificates> client_certificates);
  boost::asio::awaitable<void> handle(http::Context& context, http::Next next) override;

 private:
  [[noreturn]] void refuse(http::Context& context, int status, std::string_view reason, std::string detail,
                           std::string challenge) const;
  [[noreturn]] static void throw_refusal(int status, std::string detail, std::string challenge);

  std::shared_ptr<Authenticator> authenticator_;
  std::shared_ptr<const SecurityEvents> events_;
  std::shared_ptr<const ClientCertificates> client_certificates_;
};

}  // namespace tachyon::auth
