#include "tachyon/tls/ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tachyon::tls {

namespace {

bool use_key(const std::array<unsigned char, 32>& aes, const std::array<unsigned char, 32>& hmac,
             const unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, bool encrypt) {
  char digest[] = "SHA256";
  OSSL_PARAM parameters[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                             OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(mac, hmac.data(), hmac.size(), parameters) != 1) return false;
  return (encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, aes.data(), iv)
                  : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, aes.data(), iv)) == 1;
}

}  // namespace

TicketKeyRing::TicketKeyRing(std::chrono::seconds lifetime) : lifetime_(lifetime) {
  if (lifetime_.count() <= 0) throw std::invalid_argument("a ticket key lifetime must be positive");
  keys_.push_front(fresh_key(std::chrono::steady_clock::now()));
}

TicketKeyRing::~TicketKeyRing() {
  for (Key& key : keys_) OPENSSL_cleanse(&key, sizeof key);
}

TicketKeyRing::Key TicketKeyRing::fresh_key(std::chrono::steady_clock::time_point now) {
  Key key;
  if (RAND_bytes(key.name.data(), key.name.size()) != 1 || RAND_priv_bytes(key.aes.data(), key.aes.size()) != 1 ||
      RAND_priv_bytes(key.hmac.data(), key.hmac.size()) != 1) {
    throw std::runtime_error("cannot draw a session-ticket key from the random generator");
  }
  key.created = now;
  return key;
}

void TicketKeyRing::rotate_if_due(std::chrono::steady_clock::time_point now) {
  if (now - keys_.front().created >= lifetime_) keys_.push_front(fresh_key(now));
  // The previous key decrypts until two lifetimes after it was made; anything older goes.
  while (keys_.size() > 2 || (keys_.size() > 1 && now - keys_.back().created >= 2 * lifetime_)) {
    OPENSSL_cleanse(&keys_.back(), sizeof(Key));
    keys_.pop_back();
  }
}

int TicketKeyRing::callback(TicketKeyRing& ring, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                            EVP_MAC_CTX* mac, int encrypt) {
  // Once per full handshake or resumption, and then only a key copy: contention is negligible.
  std::lock_guard lock(ring.mutex_);
  try {
    ring.rotate_if_due(std::chrono::steady_clock::now());
  } catch (const std::exception&) {
    return -1;
  }
  if (encrypt != 0) {
    const Key& current = ring.keys_.front();
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    std::memcpy(name, current.name.data(), current.name.size());
    return use_key(current.aes, current.hmac, iv, cipher, mac, true) ? 1 : -1;
  }
  auto found = std::find_if(ring.keys_.begin(), ring.keys_.end(), [name](const Key& key) {
    return std::memcmp(key.name.data(), name, key.name.size()) == 0;
  });
  if (found == ring.keys_.end()) return 0;
  if (!use_key(found->aes, found->hmac, iv, cipher, mac, false)) return -1;
  return found == ring.keys_.begin() ? 1 : 2;
}

}  // namespace tachyon::tls
