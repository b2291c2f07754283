#include "app/acme/migrations.hpp"

#include <vector>

namespace tachyon::app::acme {

// Every filter and sort the API offers has an index ending in id (the keyset tie-breaker), so no
// list query scans a table (tests/integration/acme_query_plan_test.cpp checks EXPLAIN QUERY PLAN of the SQL the server
// logs).
std::span<const db::Migration> sqlite_migrations() {
  static const std::vector<db::Migration> all = {
      {1, "create_users", R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'user')),
  department TEXT NOT NULL,
  salary_cents INTEGER NOT NULL CHECK (salary_cents >= 0),
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX users_by_role ON users (role, id);
CREATE INDEX users_by_department ON users (department, id);
CREATE INDEX users_by_status ON users (status, id);
CREATE INDEX users_by_name ON users (name, id);
CREATE INDEX users_by_salary ON users (salary_cents, id);
CREATE INDEX users_by_created ON users (created_at, id);
CREATE INDEX users_by_email ON users (email, id);
)sql"},
      {2, "create_products", R"sql(
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX products_by_category ON products (category, id);
CREATE INDEX products_by_category_price ON products (category, price_cents, id);
CREATE INDEX products_by_price ON products (price_cents, id);
CREATE INDEX products_by_name ON products (name, id);
CREATE INDEX products_by_stock ON products (stock, id);
CREATE INDEX products_by_created ON products (created_at, id);
CREATE INDEX products_by_sku ON products (sku, id);
-- Case-insensitive substring search on the name (`q`) through a trigram index, kept in step by triggers.
CREATE VIRTUAL TABLE products_name_search USING fts5(name, content='products', content_rowid='id', tokenize='trigram');
CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
  INSERT INTO products_name_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
  INSERT INTO products_name_search (products_name_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER products_search_update AFTER UPDATE OF name ON products BEGIN
  INSERT INTO products_name_search (products_name_search, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO products_name_search (rowid, name) VALUES (new.id, new.name);
END;
)sql"},
      {3, "create_orders", R"sql(
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),
  total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, id);
CREATE INDEX orders_by_user_status ON orders (user_id, status, id);
CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_created ON orders (created_at, id);
CREATE INDEX orders_by_total ON orders (total_cents, id);
CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id INTEGER NOT NULL REFERENCES products (id),
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
  PRIMARY KEY (order_id, product_id)
) WITHOUT ROWID;
CREATE INDEX order_items_by_product ON order_items (product_id);
)sql"},
      {4, "create_identity", R"sql(
-- argon2id (PHC string) of the user's password; NULL = the user cannot log in with a password.
ALTER TABLE users ADD COLUMN password_hash TEXT;
-- Secrets this database's servers share when TACHYON_SECRET_KEY is not set (generated once).
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- Access-token signing keys; the private part is encrypted with a key derived from the server secret.
-- A retired key no longer signs; its public key stays in the JWKS until every token it signed expired.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  algorithm TEXT NOT NULL,
  sealed_private_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER
);
CREATE INDEX signing_keys_by_created ON signing_keys (created_at);
-- One login: the refresh tokens that rotate from it share its family (RFC 9700 §4.14).
CREATE TABLE login_sessions (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX login_sessions_by_user ON login_sessions (user_id);
-- Refresh tokens, stored only as their keyed hash; spent ones stay to detect reuse.
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES login_sessions (id) ON DELETE CASCADE,
  issued_at INTEGER NOT NULL,
  spent_at INTEGER
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
-- API keys for machines: the public lookup id and the keyed hash of the whole key.
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  lookup_id TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER,
  last_used_at INTEGER
);
-- Revocations every instance applies within a second (it polls for seq > the last it saw).
CREATE TABLE revocations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('access_token', 'session', 'api_key')),
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
)sql"},
  };
  return all;
}

std::span<const db::Migration> migrations(db::Dialect dialect) {
  return dialect == db::Dialect::postgresql ? postgresql_migrations() : sqlite_migrations();
}

}  // namespace tachyon::app::acme
