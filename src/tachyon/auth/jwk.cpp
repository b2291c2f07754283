#include "tachyon/auth/jwk.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "tachyon/json/writer.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::auth {

namespace {

constexpr std::size_t hmac_secret_bytes = 32;  // RFC 7518 §3.2: a key at least as long as the SHA-256 output
constexpr std::size_t coordinate_bytes = 32;   // a P-256 field element (RFC 7518 §3.4, §6.2.1.2)

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct SignatureDeleter {
  void operator()(ECDSA_SIG* signature) const { ECDSA_SIG_free(signature); }
};
struct BignumDeleter {
  void operator()(BIGNUM* number) const { BN_clear_free(number); }
};
using PkeyPointer = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdContextPointer = std::unique_ptr<EVP_MD_CTX, MdContextDeleter>;
using MacContextPointer = std::unique_ptr<EVP_MAC_CTX, MacContextDeleter>;
using BioPointer = std::unique_ptr<BIO, BioDeleter>;
using SignaturePointer = std::unique_ptr<ECDSA_SIG, SignatureDeleter>;
using BignumPointer = std::unique_ptr<BIGNUM, BignumDeleter>;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

[[noreturn]] void fail(const char* what) {
  ERR_clear_error();  // OpenSSL's queue may hold details of the key: never passed on
  throw std::runtime_error(what);
}

[[noreturn]] void reject(const char* what) {
  ERR_clear_error();
  throw std::invalid_argument(what);
}

// Never prompts for a passphrase: an encrypted PEM simply fails to load.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::string read_bio(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  if (length <= 0) fail("JwtKey: could not encode the key");
  return std::string(data, static_cast<std::size_t>(length));
}

bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> group{};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &length) != 1) {
    return false;
  }
  return std::string_view(group.data(), length) == SN_X9_62_prime256v1;
}

std::string coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) fail("JwtKey: could not read the EC public key");
  BignumPointer number(raw);
  std::string out(coordinate_bytes, '\0');
  if (BN_bn2binpad(number.get(), reinterpret_cast<unsigned char*>(out.data()), coordinate_bytes) < 0) {
    fail("JwtKey: could not read the EC public key");
  }
  return out;
}

// RFC 7518 §3.4: JWS carries R||S, each zero-padded to 32 bytes; OpenSSL signs and verifies DER.
std::string der_to_raw(const unsigned char* der, std::size_t length) {
  const unsigned char* cursor = der;
  SignaturePointer signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)));
  if (!signature) fail("JwtKey: OpenSSL returned an unreadable ECDSA signature");
  std::string raw(2 * coordinate_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), out, coordinate_bytes) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), out + coordinate_bytes, coordinate_bytes) < 0) {
    fail("JwtKey: ECDSA signature out of range");
  }
  return raw;
}

// Returns the DER length written into `der`, 0 when `raw` is not 64 bytes.
std::size_t raw_to_der(std::string_view raw, std::array<unsigned char, 80>& der) {
  if (raw.size() != 2 * coordinate_bytes) return 0;
  SignaturePointer signature(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes_of(raw), coordinate_bytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes_of(raw) + coordinate_bytes, coordinate_bytes, nullptr);
  if (!signature || !r || !s || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return 0;
  }
  if (i2d_ECDSA_SIG(signature.get(), nullptr) > static_cast<int>(der.size())) return 0;
  unsigned char* cursor = der.data();
  int length = i2d_ECDSA_SIG(signature.get(), &cursor);
  return length > 0 ? static_cast<std::size_t>(length) : 0;
}

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // fetched once, kept for the process
  return algorithm;
}

}  // namespace

// The OpenSSL side of a key. For HS256 `hmac` is keyed once; each signature works on a duplicate of it.
// For EdDSA and ES256 `verification` is a digest-verify context initialised once with the public key: copying it
// costs 0.2-0.3 µs where EVP_DigestVerifyInit costs 2.5-3 µs (it fetches the algorithm every time). Both
// templates are only ever read (EVP_MAC_CTX_dup, EVP_MD_CTX_copy_ex take them const), so threads share them.
struct JwtKey::Material {
  PkeyPointer key;
  MdContextPointer verification;
  MacContextPointer hmac;
  std::string secret;

  Material() = default;
  Material(const Material&) = delete;
  Material& operator=(const Material&) = delete;
  ~Material() { OPENSSL_cleanse(secret.data(), secret.size()); }
};

std::string_view algorithm_name(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::eddsa:
      return "EdDSA";
    case JwsAlgorithm::es256:
      return "ES256";
    case JwsAlgorithm::hs256:
      return "HS256";
  }
  return "";
}

std::optional<JwsAlgorithm> parse_algorithm(std::string_view name) {
  if (name == "EdDSA") return JwsAlgorithm::eddsa;
  if (name == "ES256") return JwsAlgorithm::es256;
  if (name == "HS256") return JwsAlgorithm::hs256;
  return std::nullopt;
}

JwtKey::JwtKey(JwsAlgorithm algorithm, std::string kid, std::shared_ptr<const Material> material)
    : algorithm_(algorithm), kid_(std::move(kid)), material_(std::move(material)) {}

namespace {

std::shared_ptr<JwtKey::Material> hmac_material(std::string_view secret) {
  if (secret.size() < hmac_secret_bytes) reject("JwtKey: an HS256 secret needs at least 32 bytes (RFC 7518 §3.2)");
  auto material = std::make_shared<JwtKey::Material>();
  material->secret.assign(secret);
  EVP_MAC* algorithm = hmac_algorithm();
  if (!algorithm) fail("JwtKey: OpenSSL has no HMAC");
  material->hmac.reset(EVP_MAC_CTX_new(algorithm));
  char digest[] = "SHA256";
  const OSSL_PARAM parameters[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                   OSSL_PARAM_construct_end()};
  if (!material->hmac ||
      EVP_MAC_init(material->hmac.get(), bytes_of(material->secret), material->secret.size(), parameters) != 1) {
    fail("JwtKey: could not key HMAC-SHA256");
  }
  return material;
}

void prepare_verification(JwtKey::Material& material, JwsAlgorithm algorithm) {
  // Ed25519 hashes internally (RFC 8032 §5.1.7): no digest is given. ES256 is ECDSA over SHA-256.
  const EVP_MD* digest = algorithm == JwsAlgorithm::es256 ? EVP_sha256() : nullptr;
  material.verification.reset(EVP_MD_CTX_new());
  if (!material.verification ||
      EVP_DigestVerifyInit(material.verification.get(), nullptr, digest, nullptr, material.key.get()) != 1) {
    fail("JwtKey: could not prepare verification");
  }
}

}  // namespace

JwtKey JwtKey::generate(JwsAlgorithm algorithm, std::string kid) {
  if (algorithm == JwsAlgorithm::hs256) {
    std::string secret(hmac_secret_bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), static_cast<int>(secret.size())) != 1) {
      fail("JwtKey: the random generator failed");
    }
    auto material = hmac_material(secret);
    OPENSSL_cleanse(secret.data(), secret.size());
    return JwtKey(algorithm, std::move(kid), std::move(material));
  }
  auto material = std::make_shared<Material>();
  if (algorithm == JwsAlgorithm::eddsa) {
    material->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  } else {
    material->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", SN_X9_62_prime256v1));
  }
  if (!material->key) fail("JwtKey: key generation failed");
  prepare_verification(*material, algorithm);
  return JwtKey(algorithm, std::move(kid), std::move(material));
}

JwtKey JwtKey::from_private(JwsAlgorithm algorithm, std::string kid, std::string_view private_material) {
  if (algorithm == JwsAlgorithm::hs256) return JwtKey(algorithm, std::move(kid), hmac_material(private_material));
  if (private_material.size() > 1 << 16) reject("JwtKey: private key PEM too large");
  BioPointer bio(BIO_new_mem_buf(private_material.data(), static_cast<int>(private_material.size())));
  if (!bio) fail("JwtKey: out of memory");
  auto material = std::make_shared<Material>();
  material->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!material->key) reject("JwtKey: the private key is not an unencrypted PEM private key");
  const bool expected_type =
      algorithm == JwsAlgorithm::eddsa
          ? EVP_PKEY_get_base_id(material->key.get()) == EVP_PKEY_ED25519
          : EVP_PKEY_get_base_id(material->key.get()) == EVP_PKEY_EC && is_p256(material->key.get());
  if (!expected_type)
    reject("JwtKey: the private key does not match the algorithm (Ed25519 for EdDSA, P-256 for ES256)");
  prepare_verification(*material, algorithm);
  return JwtKey(algorithm, std::move(kid), std::move(material));
}

std::string JwtKey::private_material() const {
  if (is_symmetric()) return material_->secret;
  BioPointer bio(BIO_new(BIO_s_secmem()));
  // PKCS#8 PrivateKeyInfo, unencrypted ("-----BEGIN PRIVATE KEY-----").
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), material_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("JwtKey: could not encode the private key");
  }
  return read_bio(bio.get());
}

std::string JwtKey::public_pem() const {
  if (is_symmetric()) return {};
  BioPointer bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), material_->key.get()) != 1)
    fail("JwtKey: could not encode the public key");
  return read_bio(bio.get());
}

void JwtKey::write_public_jwk(json::JsonWriter& writer) const {
  if (is_symmetric()) return;
  EVP_PKEY* key = material_->key.get();
  writer.begin_object();
  if (algorithm_ == JwsAlgorithm::eddsa) {
    // RFC 8037 §2: "x" is the 32-byte public key, base64url.
    std::array<unsigned char, 32> raw{};
    std::size_t length = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
      fail("JwtKey: could not read the Ed25519 public key");
    }
    writer.field("kty", "OKP");
    writer.field("crv", "Ed25519");
    writer.field("x", security::base64url_encode(std::string_view(reinterpret_cast<const char*>(raw.data()), length)));
  } else {
    // RFC 7518 §6.2.1: "x" and "y" are the coordinates, each the full 32 bytes.
    writer.field("kty", "EC");
    writer.field("crv", "P-256");
    writer.field("x", security::base64url_encode(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X)));
    writer.field("y", security::base64url_encode(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y)));
  }
  writer.field("kid", kid_);
  writer.field("alg", algorithm_name(algorithm_));
  writer.field("use", "sig");  // RFC 7517 §4.2
  writer.end_object();
}

std::string JwtKey::sign(std::string_view signing_input) const {
  if (is_symmetric()) {
    MacContextPointer context(EVP_MAC_CTX_dup(material_->hmac.get()));
    std::string mac(EVP_MAX_MD_SIZE, '\0');
    std::size_t length = 0;
    if (!context || EVP_MAC_update(context.get(), bytes_of(signing_input), signing_input.size()) != 1 ||
        EVP_MAC_final(context.get(), reinterpret_cast<unsigned char*>(mac.data()), &length, mac.size()) != 1) {
      fail("JwtKey: HMAC failed");
    }
    mac.resize(length);
    return mac;
  }
  MdContextPointer context(EVP_MD_CTX_new());
  // Ed25519 hashes internally (RFC 8032 §5.1.6): no digest is given. ES256 is ECDSA over SHA-256.
  const EVP_MD* digest = algorithm_ == JwsAlgorithm::es256 ? EVP_sha256() : nullptr;
  std::size_t length = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, material_->key.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, bytes_of(signing_input), signing_input.size()) != 1) {
    fail("JwtKey: signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes_of(signing_input), signing_input.size()) != 1) {
    fail("JwtKey: signing failed");
  }
  signature.resize(length);
  if (algorithm_ == JwsAlgorithm::es256) return der_to_raw(bytes_of(signature), signature.size());
  return signature;
}

bool JwtKey::verify(std::string_view signing_input, std::string_view signature) const {
  if (is_symmetric()) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> expected{};
    std::size_t length = 0;
    MacContextPointer context(EVP_MAC_CTX_dup(material_->hmac.get()));
    if (!context || EVP_MAC_update(context.get(), bytes_of(signing_input), signing_input.size()) != 1 ||
        EVP_MAC_final(context.get(), expected.data(), &length, expected.size()) != 1) {
      ERR_clear_error();
      return false;
    }
    return signature.size() == length && CRYPTO_memcmp(expected.data(), signature.data(), length) == 0;
  }
  std::array<unsigned char, 80> der{};
  const unsigned char* signature_bytes = bytes_of(signature);
  std::size_t signature_length = signature.size();
  if (algorithm_ == JwsAlgorithm::es256) {
    signature_length = raw_to_der(signature, der);  // RFC 7518 §3.4: exactly 64 bytes, else invalid
    if (signature_length == 0) return false;
    signature_bytes = der.data();
  } else if (signature.size() != 64) {  // RFC 8032 §5.1.7: an Ed25519 signature is 64 bytes
    return false;
  }
  thread_local MdContextPointer context(EVP_MD_CTX_new());  // reused: saves an allocation per verification
  const bool valid = context && EVP_MD_CTX_copy_ex(context.get(), material_->verification.get()) == 1 &&
                     EVP_DigestVerify(context.get(), signature_bytes, signature_length, bytes_of(signing_input),
                                      signing_input.size()) == 1;
  if (context) EVP_MD_CTX_reset(context.get());  // drops its reference to the key
  if (!valid) ERR_clear_error();
  return valid;
}

}  // namespace tachyon::auth
