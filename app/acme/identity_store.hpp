// The SQL behind Acme's identity: login accounts (users with a password hash), login sessions and
// their rotating refresh tokens (stored only as keyed hashes), API keys, access-token signing keys,
// the server secret shared through the database, and the revocation feed every instance polls.
// Plain functions over a connection; writes run on the writer (inside its transaction), reads on any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::app::acme::identity_store {

// TACHYON_SECRET_KEY when set, else the secret generated once and kept in this database (so every
// instance and restart on it agrees). Writer.
std::string server_secret(db::Connection& writer, std::string_view configured);

struct LoginAccount {
  std::int64_t id = 0;
  std::string role;
  std::string status;
  std::string password_hash;  // empty: no password set
};
std::optional<LoginAccount> find_login_account(db::Connection& connection, std::string_view email);
std::optional<LoginAccount> find_login_account(db::Connection& connection, std::int64_t id);
void store_password_hash(db::Connection& writer, std::int64_t user_id, std::string_view hash);

struct StoredSigningKey {
  std::string kid;
  std::string algorithm;
  std::string sealed_private_key;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at;
};
// Keys still signing or retired after `retired_since`, newest first.
std::vector<StoredSigningKey> signing_keys(db::Connection& connection, std::int64_t retired_since);
void insert_signing_key(db::Connection& writer, const StoredSigningKey& key);
void retire_signing_keys(db::Connection& writer, std::int64_t now);
// The kid of the key that signs now (the newest unretired), for noticing rotations cheaply.
std::optional<std::string> current_signing_kid(db::Connection& connection);

void create_login_session(db::Connection& writer, std::string_view session_id, std::int64_t user_id,
                          std::string_view scope, std::int64_t now, std::int64_t expires_at);
void insert_refresh_token(db::Connection& writer, std::string_view token_hash, std::string_view session_id,
                          std::int64_t now);
struct RefreshTokenRecord {
  std::string session_id;
  std::int64_t user_id = 0;
  std::string scope;
  bool spent = false;
  bool session_revoked = false;
  std::int64_t session_expires_at = 0;
};
std::optional<RefreshTokenRecord> find_refresh_token(db::Connection& connection, std::string_view token_hash);
// Marks the token spent; false when it already was (a concurrent use won).
bool spend_refresh_token(db::Connection& writer, std::string_view token_hash, std::int64_t now);
// Revokes the session and publishes it on the revocation feed until `feed_expires_at`.
void revoke_session(db::Connection& writer, std::string_view session_id, std::int64_t now,
                    std::int64_t feed_expires_at);
// Every live session of the user (after a password change or when the user is disabled).
void revoke_sessions_of_user(db::Connection& writer, std::int64_t user_id, std::int64_t now,
                             std::int64_t feed_expires_at);

struct ApiKeyRecord {
  std::int64_t id = 0;
  std::string lookup_id;
  std::string key_hash;
  std::string name;
  std::vector<std::string> scopes;  // sorted
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
};
// Throws db::DatabaseError (unique violation) when the name is taken.
std::int64_t insert_api_key(db::Connection& writer, const ApiKeyRecord& key);
std::optional<ApiKeyRecord> find_api_key(db::Connection& connection, std::string_view lookup_id);
std::optional<ApiKeyRecord> find_api_key_by_name(db::Connection& connection, std::string_view name);
std::vector<ApiKeyRecord> list_api_keys(db::Connection& connection);
// False when there is no such key or it was already revoked.
bool revoke_api_key(db::Connection& writer, std::int64_t id, std::int64_t now);
void record_api_key_use(db::Connection& writer, std::int64_t id, std::int64_t used_at);

enum class RevocationKind { access_token, session, api_key };
struct Revocation {
  std::int64_t seq = 0;
  RevocationKind kind = RevocationKind::access_token;
  std::string value;  // a jti, a session id, an API key id
  std::int64_t expires_at = 0;
};
void insert_revocation(db::Connection& writer, RevocationKind kind, std::string_view value, std::int64_t expires_at,
                       std::int64_t now);
std::vector<Revocation> revocations_after(db::Connection& connection, std::int64_t seq, std::int64_t now);
std::int64_t last_revocation_seq(db::Connection& connection);

}  // namespace tachyon::app::acme::identity_store
