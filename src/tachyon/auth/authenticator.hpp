// Turning a request's credentials into a principal. The access middleware finds the credentials
// (`Authorization: Bearer <token>` carrying an access token or an API key, or `X-API-Key: <key>`) and
// asks the server's Authenticator, which tries its verifiers (JWT access tokens, API keys, ...) and
// answers a principal or the reason it refused. The credential itself is never kept or logged.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "tachyon/auth/principal.hpp"
#include "tachyon/http/request.hpp"

namespace tachyon::auth {

struct Credentials {
  enum class Kind : std::uint8_t { none, bearer, api_key_header, malformed };
  Kind kind = Kind::none;
  std::string_view value;  // borrowed from the request
};

// Reads the request's credentials: none (an Authorization scheme other than Bearer counts as none), one,
// or malformed (a Bearer without a single token, or a Bearer token and an X-API-Key at once).
Credentials find_credentials(const http::Request& request);

struct Authentication {
  std::shared_ptr<const Principal> principal;    // null when refused
  std::string_view failure;                      // a fixed reason ("expired", "revoked", ...) when refused
  AuthMethod method = AuthMethod::access_token;  // what the credential was judged as, refused or not
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `credentials.kind` is bearer or api_key_header.
  virtual boost::asio::awaitable<Authentication> authenticate(const Credentials& credentials,
                                                              std::string_view client_address) = 0;
};

}  // namespace tachyon::auth
