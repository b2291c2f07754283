// Signing keys for JSON Web Tokens: the three JWS algorithms we issue with (RFC 7518 §3, RFC 8037 §3.1),
// key generation, storage as PKCS#8 PEM or a raw HMAC secret, raw JWS signatures, and the public key as a
// JWK (RFC 7517) for the JWKS document. All cryptography is OpenSSL 3 EVP.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::json {
class JsonWriter;
}

namespace tachyon::auth {

enum class JwsAlgorithm { eddsa, es256, hs256 };

// The JWS "alg" value (RFC 7518 §3.1, RFC 8037 §3.1): "EdDSA", "ES256", "HS256".
std::string_view algorithm_name(JwsAlgorithm algorithm);
// The inverse of algorithm_name, case-sensitive (RFC 7515 §4.1.1); anything else, "none" included, is nullopt.
std::optional<JwsAlgorithm> parse_algorithm(std::string_view name);

// One signing or verification key, identified by its "kid". Copies share the same OpenSSL key, which is
// immutable once built, so one key may sign and verify from many threads at once.
// Key material never appears in an exception message.
class JwtKey {
 public:
  // A new random Ed25519 or P-256 key pair, or a 32-byte HMAC secret (RFC 7518 §3.2: at least the hash size).
  static JwtKey generate(JwsAlgorithm algorithm, std::string kid);
  // The private key as PKCS#8 PEM (EdDSA, ES256) or the raw secret bytes (HS256, at least 32 of them).
  // Throws std::invalid_argument when the material does not parse or is a key of another type or curve.
  static JwtKey from_private(JwsAlgorithm algorithm, std::string kid, std::string_view private_material);

  // The inverse of from_private: what gets stored.
  std::string private_material() const;
  // The public key as SubjectPublicKeyInfo PEM; empty for HS256.
  std::string public_pem() const;

  const std::string& kid() const { return kid_; }
  JwsAlgorithm algorithm() const { return algorithm_; }
  bool is_symmetric() const { return algorithm_ == JwsAlgorithm::hs256; }

  // The public key as a JWK object: {"kty":"OKP","crv":"Ed25519","x":..} (RFC 8037 §2) or
  // {"kty":"EC","crv":"P-256","x":..,"y":..} (RFC 7518 §6.2.1), followed by "kid", "alg" and "use":"sig"
  // (RFC 7517 §4). Writes nothing for HS256: a secret is never published.
  void write_public_jwk(json::JsonWriter& writer) const;

  // The raw JWS signature of `signing_input` (RFC 7515 §5.1): 64 bytes for EdDSA, R||S of 64 bytes for ES256
  // (RFC 7518 §3.4), the 32-byte HMAC for HS256. Throws std::runtime_error if OpenSSL fails.
  std::string sign(std::string_view signing_input) const;
  // Whether `signature` is this key's valid signature of `signing_input`; HMACs compare in constant time.
  bool verify(std::string_view signing_input, std::string_view signature) const;

  struct Material;  // the OpenSSL objects, defined in jwk.cpp

 private:
  JwtKey(JwsAlgorithm algorithm, std::string kid, std::shared_ptr<const Material> material);

  JwsAlgorithm algorithm_;
  std::string kid_;
  std::shared_ptr<const Material> material_;
};

}  // namespace tachyon::auth
