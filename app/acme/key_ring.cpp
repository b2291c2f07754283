#include "app/acme/key_ring.hpp"

#include <sodium.h>

#include "app/acme/identity_store.hpp"
#include "tachyon/auth/sodium_library.hpp"
#include "tachyon/json/writer.hpp"
#include "tachyon/observe/log.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

namespace {

std::string derive_sealing_key(std::string_view server_secret) {
  auth::require_sodium();
  std::string input = "tachyon signing-key sealing\n" + std::string(server_secret);
  std::string key(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(key.data()), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size());
  sodium_memzero(input.data(), input.size());
  return key;
}

std::string new_kid() {
  return security::random_hex(8);
}

}  // namespace

KeyRing::KeyRing(std::string server_secret, auth::VerifyOptions verify_options, auth::JwsAlgorithm algorithm,
                 std::chrono::seconds keep_retired_for)
    : sealing_key_(derive_sealing_key(server_secret)),
      verify_options_(std::move(verify_options)),
      algorithm_(algorithm),
      keep_retired_for_(keep_retired_for) {
  sodium_memzero(server_secret.data(), server_secret.size());
  snapshot_.store(std::make_shared<const KeyRingSnapshot>(
      KeyRingSnapshot{std::nullopt, auth::JwtVerifier(verify_options_), "{\"keys\":[]}"}));
}

std::string KeyRing::seal(std::string_view private_material) const {
  std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + private_material.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(private_material.data()), private_material.size(), out,
                        reinterpret_cast<const unsigned char*>(sealing_key_.data()));
  return security::base64url_encode(sealed);
}

std::optional<std::string> KeyRing::unseal(std::string_view sealed_text) const {
  std::optional<std::string> sealed = security::base64url_decode(sealed_text);
  if (!sealed || sealed->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* in = reinterpret_cast<const unsigned char*>(sealed->data());
  std::string material(sealed->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(material.data()), in + crypto_secretbox_NONCEBYTES,
                                 sealed->size() - crypto_secretbox_NONCEBYTES, in,
                                 reinterpret_cast<const unsigned char*>(sealing_key_.data())) != 0) {
    return std::nullopt;
  }
  return material;
}

void KeyRing::load(db::Connection& connection, std::int64_t now) {
  auto next = std::make_shared<KeyRingSnapshot>(KeyRingSnapshot{std::nullopt, auth::JwtVerifier(verify_options_), {}});
  json::JsonWriter jwks(next->jwks);
  jwks.begin_object();
  jwks.key("keys");
  jwks.begin_array();
  for (const identity_store::StoredSigningKey& stored :
       identity_store::signing_keys(connection, now - keep_retired_for_.count())) {
    std::optional<auth::JwsAlgorithm> algorithm = auth::parse_algorithm(stored.algorithm);
    std::optional<std::string> material = algorithm ? unseal(stored.sealed_private_key) : std::nullopt;
    if (!material) {
      observe::log_warn("signing key cannot be opened with this server secret; ignored",
                        {{"kid", std::string_view(stored.kid)}});
      continue;
    }
    auth::JwtKey key = auth::JwtKey::from_private(*algorithm, stored.kid, *material);
    sodium_memzero(material->data(), material->size());
    if (!stored.retired_at && !next->signer) next->signer = key;
    key.write_public_jwk(jwks);
    next->verifier.add_key(std::move(key));
  }
  jwks.end_array();
  jwks.end_object();
  snapshot_.store(std::move(next), std::memory_order_release);
}

void KeyRing::load_or_create(db::Connection& writer, std::int64_t now) {
  load(writer, now);
  std::shared_ptr<const KeyRingSnapshot> current = snapshot();
  if (current->signer && current->signer->algorithm() == algorithm_) return;
  std::string kid = rotate(writer, now);
  observe::log_info("signing key created",
                    {{"kid", std::string_view(kid)}, {"algorithm", auth::algorithm_name(algorithm_)}});
}

void KeyRing::refresh(db::Connection& connection, std::int64_t now) {
  std::optional<std::string> kid = identity_store::current_signing_kid(connection);
  std::shared_ptr<const KeyRingSnapshot> current = snapshot();
  if (kid && current->signer && current->signer->kid() == *kid) return;
  load(connection, now);
}

std::string KeyRing::rotate(db::Connection& writer, std::int64_t now) {
  auth::JwtKey key = auth::JwtKey::generate(algorithm_, new_kid());
  std::string material = key.private_material();
  writer.transaction([&] {
    identity_store::retire_signing_keys(writer, now);
    identity_store::insert_signing_key(
        writer, {key.kid(), std::string(auth::algorithm_name(algorithm_)), seal(material), now, std::nullopt});
  });
  sodium_memzero(material.data(), material.size());
  load(writer, now);
  return key.kid();
}

}  // namespace tachyon::app::acme
