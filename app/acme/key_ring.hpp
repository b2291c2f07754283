// The access-token signing keys of every instance on one database: generated and stored there with
// their private part sealed (libsodium secretbox, key derived from the server secret), loaded at
// start, re-read when another process rotated them (`tachyon keys rotate`). The newest unretired key
// signs; retired keys keep verifying, and stay in the JWKS, until every token they signed expired.
// Readers take an immutable snapshot (one atomic load), so verification never waits on a rotation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tachyon/auth/jwt.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::app::acme {

struct KeyRingSnapshot {
  std::optional<auth::JwtKey> signer;  // absent only before the first load
  auth::JwtVerifier verifier;
  std::string jwks;  // {"keys":[...]} of the public keys (none for HS256)
};

class KeyRing {
 public:
  // `keep_retired_for`: how long a retired key still verifies (the access tokens' lifetime + leeway).
  KeyRing(std::string server_secret, auth::VerifyOptions verify_options, auth::JwsAlgorithm algorithm,
          std::chrono::seconds keep_retired_for);

  // Loads the keys; when none signs, or the signing key is of another algorithm than configured, a new
  // one is made. Writer (start-up).
  void load_or_create(db::Connection& writer, std::int64_t now);
  // Re-reads the keys when the signing kid in the database differs from ours. Any connection.
  void refresh(db::Connection& connection, std::int64_t now);
  // Makes a new signing key and retires the others; returns its kid. Writer.
  std::string rotate(db::Connection& writer, std::int64_t now);

  std::shared_ptr<const KeyRingSnapshot> snapshot() const { return snapshot_.load(std::memory_order_acquire); }

 private:
  void load(db::Connection& connection, std::int64_t now);
  std::string seal(std::string_view private_material) const;
  std::optional<std::string> unseal(std::string_view sealed) const;

  std::string sealing_key_;  // 32 bytes
  auth::VerifyOptions verify_options_;
  auth::JwsAlgorithm algorithm_;
  std::chrono::seconds keep_retired_for_;
  std::atomic<std::shared_ptr<const KeyRingSnapshot>> snapshot_;
};

}  // namespace tachyon::app::acme
