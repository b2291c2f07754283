#include "app/acme/identity_store.hpp"

#include <algorithm>

#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme::identity_store {

namespace {

std::optional<std::int64_t> optional_integer(const db::Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.integer(column);
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> scopes;
  while (!text.empty()) {
    std::size_t space = text.find(' ');
    std::string_view scope = text.substr(0, space);
    if (!scope.empty()) scopes.emplace_back(scope);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  return scopes;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string text;
  for (const std::string& scope : scopes) text += (text.empty() ? "" : " ") + scope;
  return text;
}

std::optional<LoginAccount> read_account(db::Statement& statement) {
  if (!statement.step()) return std::nullopt;
  LoginAccount account;
  account.id = statement.integer(0);
  account.role = std::string(statement.text(1));
  account.status = std::string(statement.text(2));
  if (!statement.is_null(3)) account.password_hash = std::string(statement.text(3));
  return account;
}

constexpr std::string_view account_columns = "SELECT id, role, status, password_hash FROM users ";
constexpr std::string_view api_key_columns =
    "SELECT id, lookup_id, key_hash, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM api_keys ";

ApiKeyRecord read_api_key(const db::Statement& row) {
  ApiKeyRecord key;
  key.id = row.integer(0);
  key.lookup_id = std::string(row.text(1));
  key.key_hash = std::string(row.text(2));
  key.name = std::string(row.text(3));
  key.scopes = split_scopes(row.text(4));
  key.created_at = row.integer(5);
  key.expires_at = optional_integer(row, 6);
  key.revoked_at = optional_integer(row, 7);
  key.last_used_at = optional_integer(row, 8);
  return key;
}

std::string_view kind_text(RevocationKind kind) {
  switch (kind) {
    case RevocationKind::access_token:
      return "access_token";
    case RevocationKind::session:
      return "session";
    case RevocationKind::api_key:
      return "api_key";
  }
  return "access_token";
}

}  // namespace

std::string server_secret(db::Connection& writer, std::string_view configured) {
  if (!configured.empty()) return std::string(configured);
  db::Statement existing = writer.prepare("SELECT value FROM server_secrets WHERE name = 'secret_key'");
  if (existing.step()) return std::string(existing.text(0));
  std::string generated = security::random_hex(32);
  writer.prepare("INSERT INTO server_secrets (name, value) VALUES ('secret_key', ?)")
      .bind(1, std::string_view(generated))
      .run();
  return generated;
}

std::optional<LoginAccount> find_login_account(db::Connection& connection, std::string_view email) {
  db::Statement statement = connection.prepare(std::string(account_columns) + "WHERE email = ?");
  statement.bind(1, email);
  return read_account(statement);
}

std::optional<LoginAccount> find_login_account(db::Connection& connection, std::int64_t id) {
  db::Statement statement = connection.prepare(std::string(account_columns) + "WHERE id = ?");
  statement.bind(1, id);
  return read_account(statement);
}

void store_password_hash(db::Connection& writer, std::int64_t user_id, std::string_view hash) {
  writer.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(1, hash).bind(2, user_id).run();
}

std::vector<StoredSigningKey> signing_keys(db::Connection& connection, std::int64_t retired_since) {
  db::Statement statement = connection.prepare(
      "SELECT kid, algorithm, sealed_private_key, created_at, retired_at FROM signing_keys "
      "WHERE retired_at IS NULL OR retired_at > ? ORDER BY created_at DESC, kid DESC");
  statement.bind(1, retired_since);
  std::vector<StoredSigningKey> keys;
  while (statement.step()) {
    keys.push_back({std::string(statement.text(0)), std::string(statement.text(1)), std::string(statement.text(2)),
                    statement.integer(3), optional_integer(statement, 4)});
  }
  return keys;
}

void insert_signing_key(db::Connection& writer, const StoredSigningKey& key) {
  writer
      .prepare(
          "INSERT INTO signing_keys (kid, algorithm, sealed_private_key, created_at, retired_at) "
          "VALUES (?, ?, ?, ?, ?)")
      .bind(1, std::string_view(key.kid))
      .bind(2, std::string_view(key.algorithm))
      .bind(3, std::string_view(key.sealed_private_key))
      .bind(4, key.created_at)
      .bind(5, key.retired_at)
      .run();
}

void retire_signing_keys(db::Connection& writer, std::int64_t now) {
  writer.prepare("UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL").bind(1, now).run();
}

std::optional<std::string> current_signing_kid(db::Connection& connection) {
  db::Statement statement = connection.prepare(
      "SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1");
  if (!statement.step()) return std::nullopt;
  return std::string(statement.text(0));
}

void create_login_session(db::Connection& writer, std::string_view session_id, std::int64_t user_id,
                          std::string_view scope, std::int64_t now, std::int64_t expires_at) {
  writer.prepare("INSERT INTO login_sessions (id, user_id, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
      .bind(1, session_id)
      .bind(2, user_id)
      .bind(3, scope)
      .bind(4, now)
      .bind(5, expires_at)
      .run();
}

void insert_refresh_token(db::Connection& writer, std::string_view token_hash, std::string_view session_id,
                          std::int64_t now) {
  writer.prepare("INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (?, ?, ?)")
      .bind(1, token_hash)
      .bind(2, session_id)
      .bind(3, now)
      .run();
}

std::optional<RefreshTokenRecord> find_refresh_token(db::Connection& connection, std::string_view token_hash) {
  db::Statement statement = connection.prepare(
      "SELECT refresh_tokens.session_id, login_sessions.user_id, login_sessions.scope, refresh_tokens.spent_at, "
      "login_sessions.revoked_at, login_sessions.expires_at FROM refresh_tokens "
      "JOIN login_sessions ON login_sessions.id = refresh_tokens.session_id WHERE refresh_tokens.token_hash = ?");
  statement.bind(1, token_hash);
  if (!statement.step()) return std::nullopt;
  RefreshTokenRecord record;
  record.session_id = std::string(statement.text(0));
  record.user_id = statement.integer(1);
  record.scope = std::string(statement.text(2));
  record.spent = !statement.is_null(3);
  record.session_revoked = !statement.is_null(4);
  record.session_expires_at = statement.integer(5);
  return record;
}

bool spend_refresh_token(db::Connection& writer, std::string_view token_hash, std::int64_t now) {
  writer.prepare("UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ? AND spent_at IS NULL")
      .bind(1, now)
      .bind(2, token_hash)
      .run();
  return writer.changes() == 1;
}

void revoke_session(db::Connection& writer, std::string_view session_id, std::int64_t now,
                    std::int64_t feed_expires_at) {
  writer.prepare("UPDATE login_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
      .bind(1, now)
      .bind(2, session_id)
      .run();
  insert_revocation(writer, RevocationKind::session, session_id, feed_expires_at, now);
}

void revoke_sessions_of_user(db::Connection& writer, std::int64_t user_id, std::int64_t now,
                             std::int64_t feed_expires_at) {
  std::vector<std::string> sessions;
  {
    db::Statement live = writer.prepare("SELECT id FROM login_sessions WHERE user_id = ? AND revoked_at IS NULL");
    live.bind(1, user_id);
    while (live.step()) sessions.emplace_back(live.text(0));
  }
  for (const std::string& session : sessions) revoke_session(writer, session, now, feed_expires_at);
}

std::int64_t insert_api_key(db::Connection& writer, const ApiKeyRecord& key) {
  std::string scopes = join_scopes(key.scopes);
  return writer
      .prepare(
          "INSERT INTO api_keys (lookup_id, key_hash, name, scopes, created_at, expires_at) "
          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id")
      .bind(1, std::string_view(key.lookup_id))
      .bind(2, std::string_view(key.key_hash))
      .bind(3, std::string_view(key.name))
      .bind(4, std::string_view(scopes))
      .bind(5, key.created_at)
      .bind(6, key.expires_at)
      .run_returning_id();
}

std::optional<ApiKeyRecord> find_api_key(db::Connection& connection, std::string_view lookup_id) {
  db::Statement statement = connection.prepare(std::string(api_key_columns) + "WHERE lookup_id = ?");
  statement.bind(1, lookup_id);
  if (!statement.step()) return std::nullopt;
  return read_api_key(statement);
}

std::optional<ApiKeyRecord> find_api_key_by_name(db::Connection& connection, std::string_view name) {
  db::Statement statement = connection.prepare(std::string(api_key_columns) + "WHERE name = ?");
  statement.bind(1, name);
  if (!statement.step()) return std::nullopt;
  return read_api_key(statement);
}

std::vector<ApiKeyRecord> list_api_keys(db::Connection& connection) {
  db::Statement statement = connection.prepare(std::string(api_key_columns) + "ORDER BY id");
  std::vector<ApiKeyRecord> keys;
  while (statement.step()) keys.push_back(read_api_key(statement));
  return keys;
}

bool revoke_api_key(db::Connection& writer, std::int64_t id, std::int64_t now) {
  writer.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
      .bind(1, now)
      .bind(2, id)
      .run();
  if (writer.changes() != 1) return false;
  // API keys may never expire: the feed entry lives long enough for every instance to see it.
  insert_revocation(writer, RevocationKind::api_key, std::to_string(id), now + 24 * 3600, now);
  return true;
}

void record_api_key_use(db::Connection& writer, std::int64_t id, std::int64_t used_at) {
  writer.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
      .bind(1, used_at)
      .bind(2, id)
      .bind(3, used_at)
      .run();
}

void insert_revocation(db::Connection& writer, RevocationKind kind, std::string_view value, std::int64_t expires_at,
                       std::int64_t now) {
  writer.prepare("INSERT INTO revocations (kind, value, expires_at, created_at) VALUES (?, ?, ?, ?)")
      .bind(1, kind_text(kind))
      .bind(2, value)
      .bind(3, expires_at)
      .bind(4, now)
      .run();
  // The feed only needs entries that can still matter.
  writer.prepare("DELETE FROM revocations WHERE expires_at < ?").bind(1, now).run();
}

std::vector<Revocation> revocations_after(db::Connection& connection, std::int64_t seq, std::int64_t now) {
  db::Statement statement = connection.prepare(
      "SELECT seq, kind, value, expires_at FROM revocations WHERE seq > ? AND expires_at >= ? ORDER BY seq");
  statement.bind(1, seq);
  statement.bind(2, now);
  std::vector<Revocation> revocations;
  while (statement.step()) {
    std::string_view kind = statement.text(1);
    RevocationKind parsed = kind == "session"   ? RevocationKind::session
                            : kind == "api_key" ? RevocationKind::api_key
                                                : RevocationKind::access_token;
    revocations.push_back({statement.integer(0), parsed, std::string(statement.text(2)), statement.integer(3)});
  }
  return revocations;
}

std::int64_t last_revocation_seq(db::Connection& connection) {
  db::Statement statement = connection.prepare("SELECT COALESCE(MAX(seq), 0) FROM revocations");
  statement.step();
  return statement.integer(0);
}

}  // namespace tachyon::app::acme::identity_store
