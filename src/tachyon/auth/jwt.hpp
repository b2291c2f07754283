// JSON Web Tokens as OAuth 2.0 access tokens: signing and verifying JWS compact serialisations
// (RFC 7519, RFC 7515 §7.1) in the RFC 9068 profile ("typ":"at+jwt"), following the JWT best current
// practices of RFC 8725. Keys and algorithms are in jwk.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tachyon/auth/jwk.hpp"

namespace tachyon::auth {

// The claims of an access token (RFC 9068 §2.2).
struct JwtClaims {
  std::string issuer;                 // iss
  std::string subject;                // sub
  std::vector<std::string> audience;  // aud: written as a string when one, an array when several; read either way
  std::int64_t expires_at = 0;        // exp, Unix seconds
  std::int64_t issued_at = 0;         // iat
  std::int64_t not_before = 0;        // nbf (0 = not written / absent)
  std::string token_id;               // jti
  std::string scope;                  // space-separated (RFC 8693 §4.2); empty = absent
  std::vector<std::string> roles;     // "roles" (RFC 9068 §2.2.3.1); empty = absent
  std::string client_id;              // client_id (RFC 9068 §2.2: required; always written)
  std::string session_id;             // "sid": the login (refresh-token family) it came from; empty = absent
  std::string kind;                   // private claim "kind": "user" | "api_key" | "service"; empty = absent
};

// The compact serialisation of an access token with header {"alg":..,"typ":"at+jwt","kid":..} (RFC 9068 §2.1).
// Throws std::invalid_argument when the claims have no audience or no expiry (the verifier requires both).
std::string sign_access_token(const JwtKey& key, const JwtClaims& claims);

// Signs an arbitrary header and payload, both already JSON text, without checking either: for tests and
// tools that need tokens sign_access_token would never make.
std::string sign_compact(const JwtKey& key, std::string_view header_json, std::string_view payload_json);

enum class JwtFailure {
  too_large,           // longer than VerifyOptions::max_token_bytes
  malformed,           // not three base64url segments, not JSON objects, or a member of the wrong type
  unsupported_header,  // "crit" present (RFC 7515 §4.1.11)
  unknown_key,         // no key with the header's "kid" (or no "kid")
  algorithm_mismatch,  // header "alg" is not the key's algorithm (RFC 8725 §3.1)
  bad_signature,
  wrong_type,     // "typ" is not at+jwt (RFC 9068 §4, RFC 8725 §3.11)
  expired,        // exp (RFC 7519 §4.1.4)
  not_yet_valid,  // nbf in the future (RFC 7519 §4.1.5), or iat in the future
  wrong_issuer,
  wrong_audience,
  missing_claim,  // one of iss, sub, aud, exp, iat absent (RFC 9068 §2.2)
};

// Short snake_case text for logs and metrics, e.g. "expired"; the enumerator's name.
std::string_view failure_reason(JwtFailure failure);

struct VerifyOptions {
  std::string issuer;                  // required match (RFC 9068 §4); must not be empty
  std::string audience;                // must be one of the token's aud (RFC 9068 §4); must not be empty
  std::chrono::seconds leeway{30};     // for exp, nbf and iat: tolerated clock skew
  std::size_t max_token_bytes = 8192;  // refused before any parsing
};

// Checks access tokens against a set of keys found by "kid". verify() is const and may run on many threads
// at once; add_key and remove_key are not synchronised with it (rotate by building a new verifier).
class JwtVerifier {
 public:
  // Throws std::invalid_argument when the issuer or audience is empty: a verifier that skipped those
  // checks would accept tokens minted for other services (RFC 8725 §3.8, §3.9).
  explicit JwtVerifier(VerifyOptions options);

  // Adds a key, replacing one with the same kid. Keys are looked up by kid only.
  void add_key(JwtKey key);
  void remove_key(std::string_view kid);

  // RFC 8725: the key found by `kid` decides the algorithm, and a header `alg` different from the key's fails
  // (including "none", and HS256 against an EdDSA/ES256 key: algorithm confusion). `jku`, `x5u`, `jwk` and `x5c`
  // headers are ignored, never fetched nor used; `crit` fails, as we understand no extensions; `typ` must be
  // "at+jwt" or "application/at+jwt". The payload is parsed only once the signature holds. exp, iss, aud, sub and
  // iat are required; exp, nbf and iat are checked with the leeway. Members named twice are malformed.
  std::variant<JwtClaims, JwtFailure> verify(std::string_view token, std::int64_t now_unix_seconds) const;

  const VerifyOptions& options() const { return options_; }

 private:
  const JwtKey* find_key(std::string_view kid) const;

  VerifyOptions options_;
  std::vector<JwtKey> keys_;  // few (the current key and the ones rotating out): a linear scan beats hashing
};

}  // namespace tachyon::auth
