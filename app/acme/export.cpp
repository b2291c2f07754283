#include "app/acme/export.hpp"

#include "tachyon/http/errors.hpp"
#include "tachyon/http/field_values.hpp"
#include "tachyon/json/writer.hpp"

namespace tachyon::app::acme {

namespace {

namespace asio = boost::asio;

// A field of an RFC 4180 record: quoted when it holds a comma, quote, CR or LF (quotes doubled). Text
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe
// (OWASP "CSV injection"); numbers are written as they are.
void append_csv_text(std::string& out, std::string_view text) {
  bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                                   text[0] == '\t' || text[0] == '\r');
  bool quote = formula || text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(text);
    return;
  }
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_csv_header(std::string& out, const ResourceShape& shape, const ListRequest& list) {
  bool first = true;
  for (std::size_t index = 0; index < shape.columns.size(); ++index) {
    if (!list.is_selected(index)) continue;
    if (!first) out.push_back(',');
    out.append(shape.columns[index].name);
    first = false;
  }
  out.append("\r\n");
}

void append_csv_row(std::string& out, const db::Statement& row, const ResourceShape& shape, const ListRequest& list) {
  bool first = true;
  for (std::size_t index = 0; index < shape.columns.size(); ++index) {
    if (!list.is_selected(index)) continue;
    if (!first) out.push_back(',');
    first = false;
    int column = static_cast<int>(index);
    if (row.is_null(column)) continue;
    if (shape.columns[index].type == ColumnType::integer) {
      out.append(std::to_string(row.integer(column)));
    } else {
      append_csv_text(out, row.text(column));
    }
  }
  out.append("\r\n");
}

// One page of the export rendered into `out`; returns the keyset position after it, or nullopt at the end.
std::optional<std::vector<SqlValue>> render_page(db::Connection& connection, ExportFormat format,
                                                 const ResourceShape& shape, const std::vector<Filter>& filters,
                                                 const ListRequest& list, const ExtraFields& extra, std::string& out) {
  BuiltQuery query = build_page_query(shape, filters, list);
  db::Statement statement = connection.prepare(query.sql);
  bind_all(statement, query.values);
  std::vector<std::int64_t> ids;
  std::vector<std::string> lines;  // NDJSON objects still open, waiting for their extra fields
  std::optional<std::vector<SqlValue>> next;
  std::vector<SqlValue> last;
  int rows = 0;
  while (statement.step()) {
    if (rows == list.limit) {
      next = std::move(last);
      break;
    }
    ++rows;
    last = sort_values(statement, list, shape);
    if (format == ExportFormat::csv) {
      append_csv_row(out, statement, shape, list);
      continue;
    }
    ids.push_back(statement.integer(0));
    std::string& line = lines.emplace_back();
    json::JsonWriter writer(line);
    writer.begin_object();
    write_selected_columns(writer, statement, shape, list);
    writer.end_object();
  }
  if (format == ExportFormat::ndjson) {
    const std::size_t extra_field = shape.columns.size();
    std::map<std::int64_t, std::string> extras;
    bool with_extra = extra && !shape.extra_fields.empty() && list.is_selected(extra_field);
    if (with_extra) extras = extra(connection, ids);
    for (std::size_t index = 0; index < lines.size(); ++index) {
      std::string& line = lines[index];
      if (with_extra) {
        line.pop_back();  // reopen the object for its extra field
        if (line.size() > 1) line.push_back(',');
        auto found = extras.find(ids[index]);
        line.append("\"").append(shape.extra_fields[0]).append("\":");
        line.append(found == extras.end() ? std::string_view("[]") : std::string_view(found->second));
        line.push_back('}');
      }
      out.append(line).push_back('\n');
    }
  }
  return next;
}

}  // namespace

std::optional<ExportFormat> requested_export(const http::Request& request) {
  std::optional<ExportFormat> format;
  http::for_each_list_element(request.header("Accept"), [&format](std::string_view member) {
    if (format) return;
    std::size_t semicolon = member.find(';');
    std::string_view type = http::trim_whitespace(member.substr(0, semicolon));
    std::string_view parameters = semicolon == std::string_view::npos ? "" : member.substr(semicolon);
    bool refused = parameters.find("q=0") != std::string_view::npos &&
                   parameters.find_first_of("123456789", parameters.find("q=0")) == std::string_view::npos;
    if (refused) return;
    if (http::iequals(type, "application/x-ndjson")) format = ExportFormat::ndjson;
    if (http::iequals(type, "text/csv")) format = ExportFormat::csv;
  });
  return format;
}

void respond_export(http::Context& context, Services& services, ExportFormat format, const ResourceShape& shape,
                    std::vector<Filter> filters, ListRequest list, ExtraFields extra) {
  if (list.offset_mode()) {
    throw http::HttpError(422, "a streamed export reads the whole collection",
                          {{"page", "is not used with Accept: application/x-ndjson or text/csv"}});
  }
  list.limit = export_page_rows;
  http::Response& response = context.response;
  response.status = 200;
  // A whole collection, read once: no cache, shared or private, should keep a copy.
  response.add_header("Cache-Control", "no-store");
  if (format == ExportFormat::csv) {
    response.set_content_type("text/csv; charset=utf-8; header=present");
    response.add_header("Content-Disposition", "attachment; filename=\"" + std::string(shape.table) + ".csv\"");
  } else {
    response.set_content_type("application/x-ndjson");
  }
  response.stream = [&services, format, &shape, filters = std::move(filters), list = std::move(list),
                     extra = std::move(extra)](http::BodyWriter& writer) mutable -> asio::awaitable<void> {
    std::string out;
    if (format == ExportFormat::csv) append_csv_header(out, shape, list);
    for (;;) {
      // The reader of whichever loop runs this: a page's statement never lives across a write.
      auto render = [&](db::Connection& reader) {
        return render_page(reader, format, shape, filters, list, extra, out);
      };
      std::optional<std::vector<SqlValue>> next = co_await services.database.read(std::move(render));
      if (!co_await writer.write(out)) co_return;  // the client has gone: stop reading
      out.clear();
      if (!next) co_return;
      list.after = std::move(next);
    }
  };
}

}  // namespace tachyon::app::acme
