#include "tachyon/auth/authenticator.hpp"

#include <strings.h>

namespace tachyon::auth {

Credentials find_credentials(const http::Request& request) {
  std::string_view authorization = request.header("authorization");
  std::string_view api_key = request.header("x-api-key");
  if (authorization.empty() && api_key.empty()) return {};
  if (authorization.empty()) return {Credentials::Kind::api_key_header, api_key};
  // RFC 6750 §2.1: "Bearer" (case-insensitive, RFC 9110 §11.1) then one space and the token. Other
  // schemes (Basic, for the token endpoint's client credentials) are not ours to verify here.
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() < scheme.size() || strncasecmp(authorization.data(), scheme.data(), scheme.size()) != 0 ||
      (authorization.size() > scheme.size() && authorization[scheme.size()] != ' ')) {
    if (!api_key.empty()) return {Credentials::Kind::api_key_header, api_key};
    return {};
  }
  if (!api_key.empty()) return {Credentials::Kind::malformed, {}};  // two credentials: which one counts?
  std::string_view token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos) return {Credentials::Kind::malformed, {}};
  return {Credentials::Kind::bearer, token};
}

}  // namespace tachyon::auth
