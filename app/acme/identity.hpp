// Acme's identity service: it authenticates every credential the access middleware finds (JWT access
// tokens through the key ring and the verified-token cache, API keys through their keyed hash), runs
// the OAuth 2.0 token endpoint's grants (password, refresh_token with rotation and reuse detection per
// RFC 9700 §4.14, client_credentials with an API key as the client secret) and RFC 7009 revocation, and
// keeps every instance's view of revocations and signing keys current by polling the database twice a
// second (so a logout or a revoked key takes effect everywhere within one second).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "app/acme/identity_store.hpp"
#include "app/acme/key_ring.hpp"
#include "tachyon/auth/authenticator.hpp"
#include "tachyon/auth/password_hasher.hpp"
#include "tachyon/auth/security_events.hpp"
#include "tachyon/auth/token_cache.hpp"
#include "tachyon/config/scope_grants.hpp"
#include "tachyon/db/database.hpp"

namespace tachyon::app::acme {

struct IdentityOptions {
  std::string server_secret;  // resolved (identity_store::server_secret)
  std::string issuer = "tachyon";
  std::string audience = "acme";
  auth::JwsAlgorithm algorithm = auth::JwsAlgorithm::eddsa;
  std::chrono::seconds access_token_ttl{15 * 60};
  std::chrono::seconds refresh_token_ttl{30 * 24 * 3600};
  std::chrono::milliseconds poll_interval{500};
  config::ScopeGrants role_scopes;  // role → the scopes it grants (checked by check_role_grants)
};

// An RFC 6749 §5.2 error: {"error": code, "error_description": description}.
class OAuthError : public std::runtime_error {
 public:
  OAuthError(int status, std::string code, std::string description)
      : std::runtime_error(description),
        status_(status),
        code_(std::move(code)),
        description_(std::move(description)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& description() const { return description_; }

 private:
  int status_;
  std::string code_;
  std::string description_;
};

struct IssuedTokens {
  std::string access_token;
  std::int64_t expires_in = 0;
  std::string refresh_token;  // empty for client_credentials
  std::string scope;
};

// Where a grant came from, for security events.
struct RequestFacts {
  std::string_view client_address;
  std::string_view request_id;
};

struct CreatedApiKey {
  identity_store::ApiKeyRecord record;
  std::string key;  // shown once, never stored
};

class Identity final : public auth::Authenticator {
 public:
  // Loads (or creates) the signing keys and every live revocation; starts the poller.
  Identity(db::Database& database, auth::PasswordHasher& passwords, std::shared_ptr<const auth::SecurityEvents> events,
           IdentityOptions options);
  ~Identity() override;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;

  boost::asio::awaitable<auth::Authentication> authenticate(const auth::Credentials& credentials,
                                                            std::string_view client_address) override;

  // The grants throw OAuthError (and auth::PasswordPoolFull while the hashing pool is saturated).
  boost::asio::awaitable<IssuedTokens> password_grant(std::string username, std::string password, std::string scope,
                                                      RequestFacts facts);
  boost::asio::awaitable<IssuedTokens> refresh_grant(std::string refresh_token, std::string scope, RequestFacts facts);
  boost::asio::awaitable<IssuedTokens> client_credentials_grant(std::string client_id, std::string client_secret,
                                                                std::string scope, RequestFacts facts);
  // RFC 7009: an access token's jti or a refresh token's whole login; unknown tokens are ignored.
  boost::asio::awaitable<void> revoke(std::string token, RequestFacts facts);

  // A conflict (core::Failure) when a key has this name.
  boost::asio::awaitable<CreatedApiKey> create_api_key(std::string name, std::vector<std::string> scopes,
                                                       std::optional<std::int64_t> expires_at);
  // not_found (core::Failure) when there is no unrevoked key with this id.
  boost::asio::awaitable<void> revoke_api_key(std::int64_t id);
  // Revokes every login of the user (password changed, user disabled or deleted).
  boost::asio::awaitable<void> revoke_logins_of_user(std::int64_t user_id);

  // {"keys":[...]}: the public keys that verify access tokens.
  std::string jwks() const { return keys_.snapshot()->jwks; }

  // For the CLI: the same key format and hash the server checks; a conflict when the name is taken. Writer.
  static CreatedApiKey insert_api_key(db::Connection& writer, std::string_view server_secret, std::string name,
                                      std::vector<std::string> scopes, std::optional<std::int64_t> expires_at);
  // For the CLI: makes a new signing key with the key ring the server would build from `options` and
  // retires the others; returns its kid. Writer.
  static std::string rotate_signing_key(db::Connection& writer, const IdentityOptions& options, std::int64_t now);

 private:
  struct ApiKeyCheck {
    std::optional<identity_store::ApiKeyRecord> record;
    std::string_view failure;
  };
  boost::asio::awaitable<ApiKeyCheck> check_api_key(std::string_view key, std::int64_t now);
  boost::asio::awaitable<auth::Authentication> authenticate_api_key(std::string_view key, std::int64_t now,
                                                                    std::uint64_t generation);
  // The revocations after `after` from the database, applied here.
  boost::asio::awaitable<void> apply_revocations_after(std::int64_t after, std::int64_t now);
  auth::Authentication authenticate_access_token(std::string_view token, std::int64_t now, std::uint64_t generation);
  IssuedTokens issue(std::int64_t user_id, std::string_view role, const std::string& scope,
                     const std::string& session_id, std::string refresh_token, std::int64_t now);
  // The scopes `role` grants by the configured table (sorted); none for a role it leaves out.
  const std::vector<std::string>& scopes_of_role(std::string_view role) const;
  std::string new_refresh_token() const;
  std::string refresh_token_hash(std::string_view token) const;

  bool is_revoked(std::string_view token_id, std::string_view session_id) const;
  void apply(const std::vector<identity_store::Revocation>& revocations);
  void poll_until_stopped();
  void poll_once(db::Connection& reader, std::int64_t now);
  void flush_key_uses();

  db::Database& database_;
  auth::PasswordHasher& passwords_;
  std::shared_ptr<const auth::SecurityEvents> events_;
  IdentityOptions options_;
  std::string api_key_pepper_;
  std::string refresh_token_pepper_;
  KeyRing keys_;
  auth::TokenCache cache_;

  mutable std::mutex revoked_mutex_;
  std::unordered_map<std::string, std::int64_t> revoked_tokens_;    // jti -> until
  std::unordered_map<std::string, std::int64_t> revoked_sessions_;  // session id -> until
  std::int64_t last_revocation_seq_ = 0;

  std::mutex key_uses_mutex_;
  std::map<std::int64_t, std::int64_t> key_uses_;  // API key id -> last use, written in batches

  std::mutex poller_mutex_;
  std::condition_variable poller_wake_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace tachyon::app::acme
