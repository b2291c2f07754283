// Authentication, revocations and the poller of the identity service (the grants are in token_grants.cpp).
#include "app/acme/identity.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "tachyon/auth/api_key.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::app::acme {

namespace asio = boost::asio;

namespace {

std::int64_t unix_now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// A per-purpose key from the server secret, so one leaked hash key cannot forge another kind.
std::string derive_pepper(std::string_view server_secret, std::string_view purpose) {
  return auth::api_key_hash(server_secret, purpose);
}

std::vector<std::string> split_scope(std::string_view text) {
  std::vector<std::string> scopes;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    if (space != 0) scopes.emplace_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

std::int64_t id_after_prefix(std::string_view subject, std::string_view prefix) {
  if (!subject.starts_with(prefix)) return 0;
  std::string_view digits = subject.substr(prefix.size());
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  return error == std::errc() && end == digits.data() + digits.size() ? id : 0;
}

// What the server's and `tachyon keys rotate`'s key rings are built from.
auth::VerifyOptions verify_options_of(const IdentityOptions& options) {
  return {.issuer = options.issuer, .audience = options.audience};
}

// A retired key verifies as long as the last token it signed may live, plus a minute of leeway.
std::chrono::seconds retired_key_lifetime(const IdentityOptions& options) {
  return options.access_token_ttl + std::chrono::seconds(60);
}

}  // namespace

std::string Identity::rotate_signing_key(db::Connection& writer, const IdentityOptions& options, std::int64_t now) {
  KeyRing ring(options.server_secret, verify_options_of(options), options.algorithm, retired_key_lifetime(options));
  return ring.rotate(writer, now);
}

Identity::Identity(db::Database& database, auth::PasswordHasher& passwords,
                   std::shared_ptr<const auth::SecurityEvents> events, IdentityOptions options)
    : database_(database),
      passwords_(passwords),
      events_(std::move(events)),
      options_(std::move(options)),
      api_key_pepper_(derive_pepper(options_.server_secret, "api keys")),
      refresh_token_pepper_(derive_pepper(options_.server_secret, "refresh tokens")),
      keys_(options_.server_secret, verify_options_of(options_), options_.algorithm, retired_key_lifetime(options_)) {
  const std::int64_t now = unix_now();
  database_.write_blocking([&](db::Connection& writer) {
    keys_.load_or_create(writer, now);
    apply(identity_store::revocations_after(writer, 0, now));
  });
  poller_ = std::thread([this] { poll_until_stopped(); });
}

Identity::~Identity() {
  {
    std::lock_guard lock(poller_mutex_);
    stopping_ = true;
  }
  poller_wake_.notify_all();
  poller_.join();
  flush_key_uses();
}

asio::awaitable<auth::Authentication> Identity::authenticate(const auth::Credentials& credentials,
                                                             std::string_view /*client_address*/) {
  const std::int64_t now = unix_now();
  if (std::shared_ptr<const auth::Principal> known = cache_.find(credentials.value, now)) {
    if (known->method == auth::AuthMethod::api_key) {
      std::lock_guard lock(key_uses_mutex_);
      key_uses_[known->id] = now;
    }
    const auth::AuthMethod method = known->method;
    co_return auth::Authentication{std::move(known), {}, method};
  }
  const std::uint64_t generation = cache_.generation();
  if (credentials.kind == auth::Credentials::Kind::api_key_header ||
      credentials.value.starts_with(auth::api_key_prefix)) {
    co_return co_await authenticate_api_key(credentials.value, now, generation);
  }
  co_return authenticate_access_token(credentials.value, now, generation);
}

asio::awaitable<Identity::ApiKeyCheck> Identity::check_api_key(std::string_view key, std::int64_t now) {
  std::optional<auth::ApiKeyParts> parts = auth::parse_api_key(key);
  if (!parts) co_return ApiKeyCheck{std::nullopt, "malformed_api_key"};  // a typo costs no lookup
  auto find = [&parts](db::Connection& reader) { return identity_store::find_api_key(reader, parts->lookup_id); };
  std::optional<identity_store::ApiKeyRecord> record =
      co_await database_.read(std::move(find), nullptr, db::ReadFrom::primary);
  if (!record || !auth::constant_time_equal(record->key_hash, auth::api_key_hash(api_key_pepper_, key))) {
    co_return ApiKeyCheck{std::nullopt, "unknown_api_key"};
  }
  if (record->revoked_at) co_return ApiKeyCheck{std::nullopt, "revoked"};
  if (record->expires_at && *record->expires_at <= now) co_return ApiKeyCheck{std::nullopt, "expired"};
  co_return ApiKeyCheck{std::move(record), {}};
}

asio::awaitable<auth::Authentication> Identity::authenticate_api_key(std::string_view key, std::int64_t now,
                                                                     std::uint64_t generation) {
  ApiKeyCheck check = co_await check_api_key(key, now);
  if (!check.record) co_return auth::Authentication{nullptr, check.failure, auth::AuthMethod::api_key};
  auto principal = std::make_shared<auth::Principal>();
  principal->subject = "apikey:" + check.record->name;
  principal->kind = auth::PrincipalKind::api_key;
  principal->id = check.record->id;
  principal->scopes = check.record->scopes;
  principal->token_id = check.record->lookup_id;
  principal->method = auth::AuthMethod::api_key;
  principal->expires_at = check.record->expires_at.value_or(0);
  // Remembered for a minute (or until the key expires): a revocation clears the cache at once anyway.
  std::int64_t remember_until = std::min(now + 60, check.record->expires_at.value_or(now + 60));
  cache_.insert(key, principal, remember_until, generation);
  {
    std::lock_guard lock(key_uses_mutex_);
    key_uses_[principal->id] = now;
  }
  co_return auth::Authentication{std::move(principal), {}, auth::AuthMethod::api_key};
}

auth::Authentication Identity::authenticate_access_token(std::string_view token, std::int64_t now,
                                                         std::uint64_t generation) {
  std::shared_ptr<const KeyRingSnapshot> keys = keys_.snapshot();
  std::variant<auth::JwtClaims, auth::JwtFailure> verified = keys->verifier.verify(token, now);
  if (const auto* failure = std::get_if<auth::JwtFailure>(&verified)) return {nullptr, auth::failure_reason(*failure)};
  auth::JwtClaims& claims = std::get<auth::JwtClaims>(verified);
  if (is_revoked(claims.token_id, claims.session_id)) return {nullptr, "revoked"};
  auto principal = std::make_shared<auth::Principal>();
  if (claims.kind == "service") {
    principal->kind = auth::PrincipalKind::service;
  } else if (claims.kind == "user") {
    principal->kind = auth::PrincipalKind::user;
    principal->id = id_after_prefix(claims.subject, "user:");
    if (principal->id == 0) return {nullptr, "malformed"};
  } else {
    return {nullptr, "malformed"};
  }
  principal->subject = std::move(claims.subject);
  principal->roles = std::move(claims.roles);
  principal->scopes = split_scope(claims.scope);
  principal->token_id = std::move(claims.token_id);
  principal->session_id = std::move(claims.session_id);
  principal->method = auth::AuthMethod::access_token;
  principal->expires_at = claims.expires_at;
  cache_.insert(token, principal, claims.expires_at, generation);
  return {std::move(principal), {}};
}

bool Identity::is_revoked(std::string_view token_id, std::string_view session_id) const {
  std::lock_guard lock(revoked_mutex_);
  if (!token_id.empty() && revoked_tokens_.contains(std::string(token_id))) return true;
  return !session_id.empty() && revoked_sessions_.contains(std::string(session_id));
}

void Identity::apply(const std::vector<identity_store::Revocation>& revocations) {
  if (revocations.empty()) return;
  {
    std::lock_guard lock(revoked_mutex_);
    for (const identity_store::Revocation& revocation : revocations) {
      last_revocation_seq_ = std::max(last_revocation_seq_, revocation.seq);
      switch (revocation.kind) {
        case identity_store::RevocationKind::access_token:
          revoked_tokens_[revocation.value] = revocation.expires_at;
          break;
        case identity_store::RevocationKind::session:
          revoked_sessions_[revocation.value] = revocation.expires_at;
          break;
        case identity_store::RevocationKind::api_key:
          break;  // its row says revoked; the cache clear suffices
      }
    }
  }
  cache_.clear();
}

void Identity::poll_once(db::Connection& reader, std::int64_t now) {
  std::int64_t after = 0;
  {
    std::lock_guard lock(revoked_mutex_);
    after = last_revocation_seq_;
    std::erase_if(revoked_tokens_, [now](const auto& entry) { return entry.second < now; });
    std::erase_if(revoked_sessions_, [now](const auto& entry) { return entry.second < now; });
  }
  apply(identity_store::revocations_after(reader, after, now));
  keys_.refresh(reader, now);
}

void Identity::poll_until_stopped() {
  auto last_flush = std::chrono::steady_clock::now();
  std::unique_lock lock(poller_mutex_);
  while (!poller_wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      database_.read_blocking([this](db::Connection& reader) { poll_once(reader, unix_now()); });
      if (std::chrono::steady_clock::now() - last_flush >= std::chrono::seconds(30)) {
        flush_key_uses();
        last_flush = std::chrono::steady_clock::now();
      }
    } catch (const std::exception& error) {
      observe::log_warn("identity: polling the database failed", {{"error", std::string_view(error.what())}});
    }
    lock.lock();
  }
}

// Last-used times are batched: one write every 30 seconds instead of one per request.
void Identity::flush_key_uses() {
  std::map<std::int64_t, std::int64_t> uses;
  {
    std::lock_guard lock(key_uses_mutex_);
    uses.swap(key_uses_);
  }
  if (uses.empty()) return;
  try {
    database_.write_blocking([&uses](db::Connection& writer) {
      for (const auto& [id, used_at] : uses) identity_store::record_api_key_use(writer, id, used_at);
    });
  } catch (const std::exception& error) {
    observe::log_warn("identity: recording API key use failed", {{"error", std::string_view(error.what())}});
  }
}

CreatedApiKey Identity::insert_api_key(db::Connection& writer, std::string_view server_secret, std::string name,
                                       std::vector<std::string> scopes, std::optional<std::int64_t> expires_at) {
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  CreatedApiKey created;
  created.key = auth::generate_api_key();
  std::optional<auth::ApiKeyParts> parts = auth::parse_api_key(created.key);
  created.record.lookup_id = parts->lookup_id;
  created.record.key_hash = auth::api_key_hash(derive_pepper(server_secret, "api keys"), created.key);
  created.record.name = std::move(name);
  created.record.scopes = std::move(scopes);
  created.record.created_at = unix_now();
  created.record.expires_at = expires_at;
  try {
    created.record.id = identity_store::insert_api_key(writer, created.record);
  } catch (const db::DatabaseError& error) {
    if (error.error_class() != db::ErrorClass::unique_violation) throw;
    throw core::Failure(core::FailureKind::conflict, "an API key with this name exists");
  }
  created.record.key_hash.clear();
  return created;
}

asio::awaitable<CreatedApiKey> Identity::create_api_key(std::string name, std::vector<std::string> scopes,
                                                        std::optional<std::int64_t> expires_at) {
  auto work = [this, name = std::move(name), scopes = std::move(scopes), expires_at](db::Connection& writer) mutable {
    return insert_api_key(writer, options_.server_secret, std::move(name), std::move(scopes), expires_at);
  };
  co_return co_await database_.write(std::move(work));
}

asio::awaitable<void> Identity::revoke_api_key(std::int64_t id) {
  const std::int64_t now = unix_now();
  auto work = [id, now](db::Connection& writer) { return identity_store::revoke_api_key(writer, id, now); };
  if (!co_await database_.write(std::move(work))) {
    throw core::Failure(core::FailureKind::not_found, "no unrevoked API key with id " + std::to_string(id));
  }
  cache_.clear();  // this instance at once; the others within a poll
}

asio::awaitable<void> Identity::revoke_logins_of_user(std::int64_t user_id) {
  const std::int64_t now = unix_now();
  const std::int64_t until = now + options_.access_token_ttl.count() + 60;
  auto work = [user_id, now, until](db::Connection& writer) {
    identity_store::revoke_sessions_of_user(writer, user_id, now, until);
    return identity_store::last_revocation_seq(writer);
  };
  co_await database_.write(std::move(work));
  // Apply what was just written here at once rather than at the next poll.
  std::int64_t after = 0;
  {
    std::lock_guard lock(revoked_mutex_);
    after = last_revocation_seq_;
  }
  co_await apply_revocations_after(after, now);
}

asio::awaitable<void> Identity::apply_revocations_after(std::int64_t after, std::int64_t now) {
  auto read = [after, now](db::Connection& reader) { return identity_store::revocations_after(reader, after, now); };
  apply(co_await database_.read(std::move(read), nullptr, db::ReadFrom::primary));
}

}  // namespace tachyon::app::acme
