// Acme's identity routes: the OAuth 2.0 token endpoint `POST /v1/auth/token` (RFC 6749 §5.1 answers,
// §5.2 errors, `Cache-Control: no-store`), `POST /v1/auth/revoke` (RFC 7009), `GET /v1/auth/me`,
// `GET /.well-known/jwks.json`, and the API key admin routes `/v1/admin/api-keys` (admin scope).
#pragma once

#include "app/acme/identity.hpp"
#include "tachyon/http/router.hpp"

namespace tachyon::app::acme {

// `identity` must outlive the router.
void add_identity_routes(http::Router& router, Identity& identity, db::Database& database);

}  // namespace tachyon::app::acme
