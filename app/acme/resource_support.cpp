#include "app/acme/resource_support.hpp"

#include "tachyon/core/failure.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/etag.hpp"

namespace tachyon::app::acme {

bool render_by_id(db::Connection& connection, const ResourceShape& shape, std::int64_t id, std::string& out) {
  db::Statement statement =
      connection.prepare("SELECT " + shape.select_list() + " FROM " + std::string(shape.table) + " WHERE id = ?");
  statement.bind(1, id);
  if (!statement.step()) return false;
  json::JsonWriter writer(out);
  writer.begin_object();
  write_all_columns(writer, statement, shape);
  writer.end_object();
  return true;
}

void respond_json(http::Context& context, int status, std::string body) {
  context.response.status = status;
  context.response.set_content_type("application/json");
  context.response.body = std::move(body);
}

void respond_json_with_etag(http::Context& context, std::string body) {
  respond_json(context, 200, std::move(body));
  http::add_strong_etag(context.response);
}

void respond_created(http::Context& context, std::string_view collection_path, std::int64_t id, std::string body) {
  respond_json(context, 201, std::move(body));
  context.response.add_header("Location", std::string(collection_path) + "/" + std::to_string(id));
}

void check_row_preconditions(db::Connection& connection, const RowWrite& row) {
  if (!row.preconditions.any()) return;
  std::string current;
  if (!render_by_id(connection, row.shape, row.id, current)) throw_not_found(row.resource, row.id);
  db::Statement statement =
      connection.prepare("SELECT updated_at FROM " + std::string(row.shape.table) + " WHERE id = ?");
  statement.bind(1, row.id);
  std::int64_t updated = 0;
  if (statement.step()) updated = core::parse_rfc3339_seconds(statement.text(0)).value_or(0);
  http::check_write_preconditions(row.preconditions, {.etag = http::strong_etag(current), .last_modified = updated});
}

std::string update_by_id(db::Connection& connection, const RowWrite& row, const std::vector<ColumnChange>& changes,
                         ConstraintErrorMapper on_error) {
  const ResourceShape& shape = row.shape;
  const std::int64_t id = row.id;
  check_row_preconditions(connection, row);
  std::string sql = "UPDATE " + std::string(shape.table) + " SET updated_at = ?";
  std::vector<SqlValue> values{core::rfc3339_now()};
  for (const ColumnChange& change : changes) {
    if (!change.value) continue;
    sql += ", " + std::string(change.column) + " = ?";
    values.push_back(*change.value);
  }
  sql += " WHERE id = ?";
  values.emplace_back(id);
  try {
    db::Statement statement = connection.prepare(sql);
    bind_all(statement, values);
    statement.run();
  } catch (const db::DatabaseError& error) {
    on_error(error);
    throw;
  }
  if (connection.changes() == 0) throw_not_found(row.resource, id);
  std::string rendered;
  render_by_id(connection, shape, id, rendered);
  return rendered;
}

void delete_by_id(db::Connection& connection, const RowWrite& row, ConstraintErrorMapper on_error) {
  check_row_preconditions(connection, row);
  try {
    connection.prepare("DELETE FROM " + std::string(row.shape.table) + " WHERE id = ?").bind(1, row.id).run();
  } catch (const db::DatabaseError& error) {
    on_error(error);
    throw;
  }
  if (connection.changes() == 0) throw_not_found(row.resource, row.id);
}

void respond_list(http::Context& context, db::Connection& connection, const security::Signer& signer,
                  const ResourceShape& shape, const std::vector<Filter>& filters) {
  ListRequest list = parse_list_request(context.request, shape, filters, signer);
  Page page = fetch_page(connection, shape, filters, list, signer);
  std::string body;
  write_page(body, page, list);
  respond_json(context, 200, std::move(body));
}

void document_list_parameters(http::Router::RouteBuilder& route) {
  route.query_parameter("limit", "integer", "Items per page in cursor mode, 1..100 (default 20)")
      .query_parameter("sort", "string", "Comma list of sortable fields; a leading - sorts descending")
      .query_parameter("fields", "string", "Comma list of the fields each item holds (default: all)")
      .query_parameter("cursor", "string", "The next_cursor of the previous page (opaque, signed)")
      .query_parameter("page", "integer", "Offset mode: the page number, from 1 (adds total and pages)")
      .query_parameter("per_page", "integer", "Offset mode: items per page, 1..100 (default 20)");
}

void throw_not_found(std::string_view resource, std::int64_t id) {
  throw core::Failure(core::FailureKind::not_found, "no " + std::string(resource) + " with id " + std::to_string(id));
}

}  // namespace tachyon::app::acme
