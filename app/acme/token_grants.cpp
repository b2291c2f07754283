// The identity service's grants (RFC 6749 §4.3 password, §6 refresh_token, §4.4 client_credentials) and
// RFC 7009 revocation. Refresh tokens rotate on every use; presenting a spent one revokes its whole
// login (RFC 9700 §4.14.2), decided inside one writer transaction so two concurrent uses cannot both win.
#include <sodium.h>

#include <algorithm>
#include <ctime>

#include "app/acme/access_policy.hpp"
#include "app/acme/identity.hpp"
#include "tachyon/auth/api_key.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

namespace asio = boost::asio;

namespace {

constexpr std::string_view refresh_token_prefix = "rt_";
constexpr std::string_view wrong_credentials = "the username or password is wrong";

std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    if (space != 0) out.emplace_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join(const std::vector<std::string>& scopes) {
  std::string text;
  for (const std::string& scope : scopes) text += (text.empty() ? "" : " ") + scope;
  return text;
}

// RFC 6749 §3.3: the requested scopes, each of which must be granted; none requested = all granted.
// Returns nullopt when one is not granted.
std::optional<std::string> resolve_scope(std::string_view requested, const std::vector<std::string>& granted) {
  if (requested.empty()) return join(granted);
  std::vector<std::string> asked = words(requested);
  for (const std::string& scope : asked) {
    if (!std::binary_search(granted.begin(), granted.end(), scope)) return std::nullopt;
  }
  return join(asked);
}

std::string new_identifier() {
  return security::random_hex(16);
}

void wipe(std::string& secret) {
  sodium_memzero(secret.data(), secret.size());
}

}  // namespace

const std::vector<std::string>& Identity::scopes_of_role(std::string_view role) const {
  static const std::vector<std::string> none;
  auto found = options_.role_scopes.find(role);
  return found == options_.role_scopes.end() ? none : found->second;
}

std::string Identity::new_refresh_token() const {
  std::string random(32, '\0');  // 256 bits from the kernel's CSPRNG
  randombytes_buf(random.data(), random.size());
  std::string token = std::string(refresh_token_prefix) + security::base64url_encode(random);
  wipe(random);
  return token;
}

std::string Identity::refresh_token_hash(std::string_view token) const {
  return auth::api_key_hash(refresh_token_pepper_, token);
}

IssuedTokens Identity::issue(std::int64_t user_id, std::string_view role, const std::string& scope,
                             const std::string& session_id, std::string refresh_token, std::int64_t now) {
  std::shared_ptr<const KeyRingSnapshot> keys = keys_.snapshot();
  auth::JwtClaims claims;
  claims.issuer = options_.issuer;
  claims.subject = "user:" + std::to_string(user_id);
  claims.audience = {options_.audience};
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + options_.access_token_ttl.count();
  claims.token_id = new_identifier();
  claims.scope = scope;
  claims.roles = {std::string(role)};
  claims.client_id = "acme";
  claims.session_id = session_id;
  claims.kind = "user";
  return {auth::sign_access_token(*keys->signer, claims), options_.access_token_ttl.count(), std::move(refresh_token),
          scope};
}

asio::awaitable<IssuedTokens> Identity::password_grant(std::string username, std::string password, std::string scope,
                                                       RequestFacts facts) {
  std::transform(username.begin(), username.end(), username.begin(), [](unsigned char c) { return std::tolower(c); });
  auto find = [&username](db::Connection& reader) { return identity_store::find_login_account(reader, username); };
  std::optional<identity_store::LoginAccount> account =
      co_await database_.read(std::move(find), nullptr, db::ReadFrom::primary);
  std::string stored = account ? account->password_hash : std::string();
  std::string retry = password;  // for a rehash; wiped below either way
  auth::PasswordCheck check = co_await passwords_.verify(std::move(password), std::move(stored));
  auto fail = [&](std::string_view reason) {
    wipe(retry);
    events_->emit({.type = auth::SecurityEventType::login_failed,
                   .subject = username,
                   .client_address = facts.client_address,
                   .method = "password",
                   .what = "/v1/auth/token",
                   .reason = reason,
                   .request_id = facts.request_id,
                   .status = 400});
    return OAuthError(400, "invalid_grant", std::string(wrong_credentials));
  };
  // The same answer for an unknown user, a wrong password and a disabled account: no enumeration.
  if (!account) throw fail("unknown_user");
  if (!check.matches) throw fail("bad_password");
  if (account->status != "active") throw fail("disabled");
  std::optional<std::string> granted = resolve_scope(scope, scopes_of_role(account->role));
  if (!granted) {
    wipe(retry);
    throw OAuthError(400, "invalid_scope", "the requested scope exceeds what the " + account->role + " role grants");
  }
  std::optional<std::string> rehashed;
  if (check.needs_rehash) rehashed = co_await passwords_.hash(std::move(retry));
  wipe(retry);
  const std::int64_t now = unix_now();
  std::string session_id = new_identifier();
  std::string refresh_token = new_refresh_token();
  auto store = [&, user_id = account->id, hash = refresh_token_hash(refresh_token)](db::Connection& writer) {
    identity_store::create_login_session(writer, session_id, user_id, *granted, now,
                                         now + options_.refresh_token_ttl.count());
    identity_store::insert_refresh_token(writer, hash, session_id, now);
    if (rehashed) identity_store::store_password_hash(writer, user_id, *rehashed);
  };
  co_await database_.write(std::move(store));
  std::string subject = "user:" + std::to_string(account->id);
  events_->emit({.type = auth::SecurityEventType::login_succeeded,
                 .subject = subject,
                 .client_address = facts.client_address,
                 .method = "password",
                 .what = "/v1/auth/token",
                 .reason = "",
                 .request_id = facts.request_id,
                 .status = 200});
  co_return issue(account->id, account->role, *granted, session_id, std::move(refresh_token), now);
}

asio::awaitable<IssuedTokens> Identity::refresh_grant(std::string refresh_token, std::string scope,
                                                      RequestFacts facts) {
  enum class Outcome { rotated, unknown, reused, revoked, expired, disabled, bad_scope };
  struct Result {
    Outcome outcome = Outcome::unknown;
    std::int64_t user_id = 0;
    std::string role;
    std::string scope;
    std::string session_id;
  };
  const std::int64_t now = unix_now();
  const std::int64_t feed_until = now + options_.access_token_ttl.count() + 60;
  std::string next_token = new_refresh_token();
  auto finish = [](Result& result, Outcome outcome) {
    result.outcome = outcome;
    return result;
  };
  // Decided and written in one transaction; a reuse returns (not throws) so its revocation commits.
  auto rotate = [&, hash = refresh_token_hash(refresh_token),
                 next_hash = refresh_token_hash(next_token)](db::Connection& writer) {
    Result result;
    std::optional<identity_store::RefreshTokenRecord> record = identity_store::find_refresh_token(writer, hash);
    if (!record) return finish(result, Outcome::unknown);
    result.session_id = record->session_id;
    result.user_id = record->user_id;
    if (record->session_revoked) return finish(result, Outcome::revoked);
    if (record->spent) {
      identity_store::revoke_session(writer, record->session_id, now, feed_until);
      return finish(result, Outcome::reused);
    }
    if (record->session_expires_at <= now) return finish(result, Outcome::expired);
    std::optional<identity_store::LoginAccount> account = identity_store::find_login_account(writer, record->user_id);
    if (!account || account->status != "active") {
      identity_store::revoke_session(writer, record->session_id, now, feed_until);
      return finish(result, Outcome::disabled);
    }
    // RFC 6749 §6: no scope beyond the login's; and none the user's role no longer grants.
    std::vector<std::string> still_granted;
    for (const std::string& granted : words(record->scope)) {
      const auto& role_scopes = scopes_of_role(account->role);
      if (std::binary_search(role_scopes.begin(), role_scopes.end(), granted)) still_granted.push_back(granted);
    }
    std::optional<std::string> resolved = resolve_scope(scope, still_granted);
    if (!resolved) return finish(result, Outcome::bad_scope);
    if (!identity_store::spend_refresh_token(writer, hash, now)) {
      identity_store::revoke_session(writer, record->session_id, now, feed_until);
      return finish(result, Outcome::reused);
    }
    identity_store::insert_refresh_token(writer, next_hash, record->session_id, now);
    result.outcome = Outcome::rotated;
    result.role = account->role;
    result.scope = std::move(*resolved);
    return result;
  };
  Result result = co_await database_.write(std::move(rotate));
  wipe(refresh_token);
  std::string subject = result.user_id ? "user:" + std::to_string(result.user_id) : std::string();
  auto refuse = [&](std::string_view reason, std::string description) {
    events_->emit({.type = auth::SecurityEventType::login_failed,
                   .subject = subject,
                   .client_address = facts.client_address,
                   .method = "refresh_token",
                   .what = "/v1/auth/token",
                   .reason = reason,
                   .request_id = facts.request_id,
                   .status = 400});
    return OAuthError(400, "invalid_grant", std::move(description));
  };
  switch (result.outcome) {
    case Outcome::rotated:
      break;
    case Outcome::unknown:
      throw refuse("unknown_refresh_token", "the refresh token is not valid");
    case Outcome::revoked:
      throw refuse("revoked", "the refresh token was revoked");
    case Outcome::expired:
      throw refuse("expired", "the refresh token expired");
    case Outcome::disabled:
      throw refuse("disabled", "the refresh token is not valid");
    case Outcome::bad_scope:
      throw OAuthError(400, "invalid_scope", "the requested scope exceeds the original grant");
    case Outcome::reused: {
      co_await apply_revocations_after(0, now);
      events_->emit({.type = auth::SecurityEventType::token_revoked,
                     .subject = subject,
                     .client_address = facts.client_address,
                     .method = "refresh_token",
                     .what = "/v1/auth/token",
                     .reason = "refresh_token_reuse",
                     .request_id = facts.request_id,
                     .status = 400});
      throw refuse("refresh_token_reuse", "the refresh token was already used: every token of this login is revoked");
    }
  }
  co_return issue(result.user_id, result.role, result.scope, result.session_id, std::move(next_token), now);
}

asio::awaitable<IssuedTokens> Identity::client_credentials_grant(std::string client_id, std::string client_secret,
                                                                 std::string scope, RequestFacts facts) {
  const std::int64_t now = unix_now();
  ApiKeyCheck check = co_await check_api_key(client_secret, now);
  wipe(client_secret);
  if (!check.record || check.record->name != client_id) {
    events_->emit({.type = auth::SecurityEventType::login_failed,
                   .subject = client_id,
                   .client_address = facts.client_address,
                   .method = "client_credentials",
                   .what = "/v1/auth/token",
                   .reason = check.record ? "client_id_mismatch" : check.failure,
                   .request_id = facts.request_id,
                   .status = 401});
    throw OAuthError(401, "invalid_client", "the client credentials are not valid");
  }
  std::optional<std::string> granted = resolve_scope(scope, check.record->scopes);
  if (!granted) throw OAuthError(400, "invalid_scope", "the requested scope exceeds the client's scopes");
  std::shared_ptr<const KeyRingSnapshot> keys = keys_.snapshot();
  auth::JwtClaims claims;
  claims.issuer = options_.issuer;
  claims.subject = "service:" + check.record->name;
  claims.audience = {options_.audience};
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + options_.access_token_ttl.count();
  claims.token_id = new_identifier();
  claims.scope = *granted;
  claims.client_id = check.record->name;
  claims.kind = "service";
  events_->emit({.type = auth::SecurityEventType::login_succeeded,
                 .subject = claims.subject,
                 .client_address = facts.client_address,
                 .method = "client_credentials",
                 .what = "/v1/auth/token",
                 .reason = "",
                 .request_id = facts.request_id,
                 .status = 200});
  co_return IssuedTokens{
      auth::sign_access_token(*keys->signer, claims), options_.access_token_ttl.count(), {}, *granted};
}

asio::awaitable<void> Identity::revoke(std::string token, RequestFacts facts) {
  const std::int64_t now = unix_now();
  const std::int64_t feed_until = now + options_.access_token_ttl.count() + 60;
  std::string subject;
  if (token.starts_with(refresh_token_prefix)) {
    auto work = [hash = refresh_token_hash(token), now, feed_until](db::Connection& writer) {
      std::optional<identity_store::RefreshTokenRecord> record = identity_store::find_refresh_token(writer, hash);
      if (!record) return std::int64_t{0};
      identity_store::revoke_session(writer, record->session_id, now, feed_until);
      return record->user_id;
    };
    std::int64_t user_id = co_await database_.write(std::move(work));
    if (user_id == 0) co_return;  // RFC 7009 §2.2: an unknown token is not an error
    subject = "user:" + std::to_string(user_id);
  } else {
    std::variant<auth::JwtClaims, auth::JwtFailure> verified = keys_.snapshot()->verifier.verify(token, now);
    const auto* claims = std::get_if<auth::JwtClaims>(&verified);
    if (claims == nullptr || claims->token_id.empty()) co_return;
    auto work = [jti = claims->token_id, until = claims->expires_at + 60, now](db::Connection& writer) {
      identity_store::insert_revocation(writer, identity_store::RevocationKind::access_token, jti, until, now);
    };
    co_await database_.write(std::move(work));
    subject = claims->subject;
  }
  wipe(token);
  std::int64_t after = 0;
  {
    std::lock_guard lock(revoked_mutex_);
    after = last_revocation_seq_;
  }
  co_await apply_revocations_after(after, now);
  events_->emit({.type = auth::SecurityEventType::token_revoked,
                 .subject = subject,
                 .client_address = facts.client_address,
                 .method = "revoke",
                 .what = "/v1/auth/revoke",
                 .reason = "revoked_by_client",
                 .request_id = facts.request_id,
                 .status = 200});
}

}  // namespace tachyon::app::acme
