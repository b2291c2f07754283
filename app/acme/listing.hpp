// Collection listing shared by every Acme resource: `limit`, `sort` (whitelisted, `-` for descending),
// `fields` selection, opaque HMAC-signed keyset cursors (default) and offset pages (`page`,
// `per_page`), turned into one SQL query over indexed columns, and the JSON envelope around the items.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tachyon/db/sqlite_connection.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/json/writer.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

enum class ColumnType { integer, text };

struct Column {
  std::string_view name;  // the API field and the SQL column
  ColumnType type;
  bool sortable;  // only columns with an index (so no list query scans the table)
};

// A resource's columns in SELECT order; column 0 is the integer primary key `id`.
struct ResourceShape {
  std::string_view table;
  std::vector<Column> columns;
  std::vector<std::string_view> extra_fields;     // selectable fields that are not columns (orders: items)
  int column_index(std::string_view name) const;  // -1 when unknown
  std::string select_list() const;                // "id, email, ..."
};

using SqlValue = std::variant<std::int64_t, std::string>;

// A filter already validated by the resource: an SQL condition with `?` placeholders and its values.
struct Filter {
  std::string condition;
  std::vector<SqlValue> values;
  std::string canonical;  // "category=books" — binds cursors to the query they came from
};

struct SortKey {
  int column;
  bool descending;
};

struct ListRequest {
  int limit = 20;
  std::vector<SortKey> sort;                   // always ends with the id as tie-breaker
  std::vector<bool> selected;                  // per column + extra field; all true when `fields` is absent
  std::optional<std::vector<SqlValue>> after;  // keyset position from the cursor (sort values + id)
  std::optional<int> page;
  int per_page = 20;

  bool offset_mode() const { return page.has_value(); }
  bool is_selected(std::size_t field) const { return selected[field]; }
};

// Parses and validates the list parameters; throws HttpError 422 (listing every bad parameter) or
// 400 for a cursor that was altered or belongs to another query.
ListRequest parse_list_request(const http::Request& request, const ResourceShape& shape,
                               const std::vector<Filter>& filters, const security::Signer& signer);

// Builds the page query: filters, keyset condition, ORDER BY, LIMIT limit+1 (to learn if more exist).
struct BuiltQuery {
  std::string sql;
  std::vector<SqlValue> values;
};
BuiltQuery build_page_query(const ResourceShape& shape, const std::vector<Filter>& filters, const ListRequest& list);
BuiltQuery build_count_query(const ResourceShape& shape, const std::vector<Filter>& filters);

void bind_all(db::Statement& statement, const std::vector<SqlValue>& values, int first_index = 1);

// Writes the selected columns of the current row as a JSON object's members (no braces).
void write_selected_columns(json::JsonWriter& writer, const db::Statement& row, const ResourceShape& shape,
                            const ListRequest& list);
// Writes every column of the current row as members (single-resource responses).
void write_all_columns(json::JsonWriter& writer, const db::Statement& row, const ResourceShape& shape);

// The cursor for the page after the row whose sort values are `last`.
std::string make_cursor(const ResourceShape& shape, const std::vector<Filter>& filters, const ListRequest& list,
                        const std::vector<SqlValue>& last, const security::Signer& signer);
// The sort values (sort columns then id) of the current row.
std::vector<SqlValue> sort_values(const db::Statement& row, const ListRequest& list, const ResourceShape& shape);

// One page of a collection, each row's selected columns already rendered as JSON members.
struct Page {
  std::vector<std::int64_t> ids;
  std::vector<std::string> rows;  // `"id":1,"email":"..."` without braces
  std::optional<std::string> next_cursor;
  std::optional<std::int64_t> total;  // offset mode
};

// Runs the page query (and the count in offset mode): one or two statements, whatever the page size.
Page fetch_page(db::Connection& connection, const ResourceShape& shape, const std::vector<Filter>& filters,
                const ListRequest& list, const security::Signer& signer);

// Writes `{"items":[...],"next_cursor":...}` or the offset envelope. `write_extra(writer, row)` adds
// members that are not columns (it is called for every row).
void write_page(std::string& out, const Page& page, const ListRequest& list,
                const std::function<void(json::JsonWriter&, std::size_t)>& write_extra = {});

}  // namespace tachyon::app::acme
