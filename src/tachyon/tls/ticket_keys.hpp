// Session-ticket keys that rotate: the HTTPS listener encrypts each new session ticket (RFC 5077, and
// TLS 1.3's resumption tickets) under the current key and makes a fresh random key every `lifetime`.
// A ticket resumes for one lifetime (its lifetime hint and the session timeout); the previous key is
// kept for one more lifetime so that tickets issued just before a rotation live out theirs (they are
// re-issued under the current key), then it is wiped. A stolen key therefore opens at most two
// lifetimes of resumed sessions, instead of OpenSSL's default: one key for the life of the process.
//
// The ring lives in memory only: instances behind one load balancer each have their own, so a ticket
// resumes only on the instance that issued it (the client then makes a full handshake elsewhere).
#pragma once

#include <openssl/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>

namespace tachyon::tls {

class TicketKeyRing {
 public:
  explicit TicketKeyRing(std::chrono::seconds lifetime);
  ~TicketKeyRing();
  TicketKeyRing(const TicketKeyRing&) = delete;
  TicketKeyRing& operator=(const TicketKeyRing&) = delete;

  std::chrono::seconds lifetime() const { return lifetime_; }

  // OpenSSL's ticket-key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb) for `ring`: 1 = use this key,
  // 2 = decrypted with the previous key (issue a new ticket), 0 = unknown key (full handshake),
  // -1 = failure.
  static int callback(TicketKeyRing& ring, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                      EVP_MAC_CTX* mac, int encrypt);

 private:
  struct Key {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};
    std::array<unsigned char, 32> hmac{};
    std::chrono::steady_clock::time_point created;
  };

  void rotate_if_due(std::chrono::steady_clock::time_point now);  // mutex_ held
  static Key fresh_key(std::chrono::steady_clock::time_point now);

  const std::chrono::seconds lifetime_;
  std::mutex mutex_;
  std::deque<Key> keys_;  // front: the current key; then the previous one
};

}  // namespace tachyon::tls
