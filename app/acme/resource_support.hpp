// Small pieces every Acme resource handler shares: reading one row as JSON, the common responses,
// and turning database constraint errors into 409s.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/acme/listing.hpp"
#include "tachyon/db/query_span.hpp"
#include "tachyon/db/sqlite_connection.hpp"
#include "tachyon/http/conditional.hpp"
#include "tachyon/http/context.hpp"
#include "tachyon/http/router.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::app::acme {

// Cache-Control of every answer that depends on who asks (users, orders): any cache may keep it only
// for that caller (`private`) and must revalidate it first (`no-cache`, a cheap 304 with the ETag).
inline constexpr std::string_view private_cache_control = "private, no-cache";

// Renders row `id` of the resource as a JSON object into `out`; false when there is no such row.
bool render_by_id(db::Connection& connection, const ResourceShape& shape, std::int64_t id, std::string& out);

// 200 with the JSON body and its strong ETag (a current If-None-Match turns it into 304 later).
void respond_json_with_etag(http::Context& context, std::string body);
// 201 with Location: <collection>/<id>.
void respond_created(http::Context& context, std::string_view collection_path, std::int64_t id, std::string body);
void respond_json(http::Context& context, int status, std::string body);

// Maps a failed write's constraint violation to the resource's core::Failure, e.g. a conflict naming the
// taken field (it always throws; the error itself when it is not a constraint the resource knows).
using ConstraintErrorMapper = void (*)(const db::DatabaseError& error);

// A column to change: the API field (also the SQL column) and its new value; absent = unchanged.
struct ColumnChange {
  std::string_view column;
  std::optional<SqlValue> value;
};

// A PATCH field as a ColumnChange value.
template <class T>
std::optional<SqlValue> changed(const std::optional<T>& value) {
  return value ? std::optional<SqlValue>(SqlValue(*value)) : std::nullopt;
}

// Which row a write changes and the conditions it was sent with: `shape` renders the row as this caller
// reads it (the same bytes, so the same ETag, as their GET), for If-Match.
struct RowWrite {
  const ResourceShape& shape;
  std::string_view resource;  // "user", for errors
  std::int64_t id;
  const http::WritePreconditions& preconditions;
};

// 412 unless the row, as it is now, meets the write's preconditions (none: nothing to check); 404 when
// it is gone. update_by_id and delete_by_id call it inside their transaction.
void check_row_preconditions(db::Connection& connection, const RowWrite& row);

// UPDATE <table> SET updated_at = now, <changes> WHERE id = ?, then the row as JSON. Throws 404 when
// there is no such row, 412 when a precondition fails against the row as it is now (checked in the same
// transaction, so no concurrent write slips between); constraint errors go to `on_error`. Writer only.
std::string update_by_id(db::Connection& connection, const RowWrite& row, const std::vector<ColumnChange>& changes,
                         ConstraintErrorMapper on_error);
// DELETE FROM <table> WHERE id = ?; 404 when absent, 412 as above, constraint errors to `on_error`.
// `row.shape` is the caller's read shape; the table is the same. Writer only.
void delete_by_id(db::Connection& connection, const RowWrite& row, ConstraintErrorMapper on_error);

// GET on a collection whose items are plain rows: the list parameters, one page query on the given
// reader (inside Database::read), and the JSON envelope.
void respond_list(http::Context& context, db::Connection& connection, const security::Signer& signer,
                  const ResourceShape& shape, const std::vector<Filter>& filters);

// Documents the list parameters every collection takes (limit, sort, fields, cursor, page, per_page).
void document_list_parameters(http::Router::RouteBuilder& route);

[[noreturn]] void throw_not_found(std::string_view resource, std::int64_t id);

}  // namespace tachyon::app::acme
