// Who is calling: the principal the access middleware authenticated for a request (a user with an access
// token, an API key, or a service client), with its roles and scopes. Handlers and domain functions
// decide object- and property-level access from it; logs and spans record its subject and method,
// never the credential it came from.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::auth {

enum class PrincipalKind : std::uint8_t { user, api_key, service };
// How the principal proved who it is.
enum class AuthMethod : std::uint8_t { access_token, api_key, client_certificate };

std::string_view kind_name(PrincipalKind kind);   // "user", "api_key", "service"
std::string_view method_name(AuthMethod method);  // "access_token", "api_key", "client_certificate"

struct Principal {
  std::string subject;  // "user:12", "apikey:ci", "service:billing": the `sub` of its tokens
  PrincipalKind kind = PrincipalKind::user;
  std::int64_t id = 0;              // the user's or API key's row id
  std::vector<std::string> roles;   // a user's role; empty for keys and services
  std::vector<std::string> scopes;  // sorted, unique
  std::string token_id;             // the access token's `jti`, or the API key's public lookup id
  std::string session_id;           // the login (refresh-token family) an access token came from
  AuthMethod method = AuthMethod::access_token;
  std::int64_t expires_at = 0;  // Unix seconds; 0 = no expiry (a key without one)

  bool has_scope(std::string_view scope) const {
    return std::binary_search(scopes.begin(), scopes.end(), scope, std::less<>());
  }
  bool has_role(std::string_view role) const { return std::find(roles.begin(), roles.end(), role) != roles.end(); }
};

}  // namespace tachyon::auth
