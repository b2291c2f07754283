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
#include "tachyon/http/context.hpp"
#include "tachyon/http/router.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::app::acme {

// Renders row `id` of the resource as a JSON object into `out`; false when there is no such row.
bool render_by_id(db::Connection& connection, const ResourceShape& shape, std::int64_t id, std::string& out);

// 200 with the JSON body and its strong ETag (a current If-None-Match turns it into 304 later).
void respond_json_with_etag(http::Context& context, std::string body);
// 201 with Location: <collection>/<id>.
void respond_created(http::Context& context, std::string_view collection_path, std::int64_t id, std::string body);
void respond_json(http::Context& context, int status, std::string body);

// Maps a failed write's constraint violation to the resource's HTTP error (it always throws).
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

// UPDATE <table> SET updated_at = now, <changes> WHERE id = ?, then the row as JSON. Throws 404 when
// there is no such row; constraint errors go to `on_error`. Runs on the writer connection.
std::string update_by_id(db::Connection& connection, const ResourceShape& shape, std::string_view resource,
                         std::int64_t id, const std::vector<ColumnChange>& changes, ConstraintErrorMapper on_error);
// DELETE FROM <table> WHERE id = ?; 404 when absent, constraint errors to `on_error`. Writer only.
void delete_by_id(db::Connection& connection, const ResourceShape& shape, std::string_view resource, std::int64_t id,
                  ConstraintErrorMapper on_error);

// GET on a collection whose items are plain rows: the list parameters, one page query on this loop's
// reader, and the JSON envelope.
void respond_list(http::Context& context, db::Connection& connection, const security::Signer& signer,
                  const ResourceShape& shape, const std::vector<Filter>& filters);

// Documents the list parameters every collection takes (limit, sort, fields, cursor, page, per_page).
void document_list_parameters(http::Router::RouteBuilder& route);

[[noreturn]] void throw_not_found(std::string_view resource, std::int64_t id);

}  // namespace tachyon::app::acme
