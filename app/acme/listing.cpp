#include "app/acme/listing.hpp"

#include <simdjson.h>

#include <charconv>

#include "tachyon/http/errors.hpp"

namespace tachyon::app::acme {

namespace {

constexpr int max_limit = 100;

std::optional<std::int64_t> parse_whole_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    std::size_t comma = text.find(',');
    parts.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

// Reads an integer parameter in [minimum, maximum]; records an error otherwise.
std::optional<int> bounded_parameter(const http::Request& request, std::string_view name, int minimum, int maximum,
                                     std::vector<json::FieldError>& errors) {
  auto text = request.query_param(name);
  if (!text) return std::nullopt;
  auto value = parse_whole_number(*text);
  if (!value || *value < minimum || *value > maximum) {
    errors.push_back(
        {std::string(name), "must be an integer from " + std::to_string(minimum) + " to " + std::to_string(maximum)});
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

std::vector<SortKey> parse_sort(std::string_view text, const ResourceShape& shape,
                                std::vector<json::FieldError>& errors) {
  std::vector<SortKey> keys;
  for (std::string_view part : split_commas(text)) {
    bool descending = !part.empty() && part.front() == '-';
    if (descending) part.remove_prefix(1);
    int column = shape.column_index(part);
    if (column < 0 || !shape.columns[column].sortable) {
      errors.push_back({"sort", "cannot sort by '" + std::string(part) + "'; sortable: " + [&] {
                          std::string names;
                          for (const Column& candidate : shape.columns) {
                            if (!candidate.sortable) continue;
                            if (!names.empty()) names += ", ";
                            names += candidate.name;
                          }
                          return names;
                        }()});
      return {};
    }
    for (const SortKey& existing : keys) {
      if (existing.column == column) {
        errors.push_back({"sort", "names '" + std::string(part) + "' twice"});
        return {};
      }
    }
    keys.push_back({column, descending});
  }
  return keys;
}

std::vector<bool> parse_fields(std::string_view text, const ResourceShape& shape,
                               std::vector<json::FieldError>& errors) {
  std::size_t total = shape.columns.size() + shape.extra_fields.size();
  std::vector<bool> selected(total, false);
  for (std::string_view part : split_commas(text)) {
    int column = shape.column_index(part);
    if (column >= 0) {
      selected[static_cast<std::size_t>(column)] = true;
      continue;
    }
    bool found = false;
    for (std::size_t extra = 0; extra < shape.extra_fields.size(); ++extra) {
      if (shape.extra_fields[extra] == part) {
        selected[shape.columns.size() + extra] = true;
        found = true;
      }
    }
    if (!found) errors.push_back({"fields", "unknown field '" + std::string(part) + "'"});
  }
  return selected;
}

std::string query_signature(const ResourceShape& shape, const std::vector<Filter>& filters, const ListRequest& list) {
  std::string signature(shape.table);
  signature += '|';
  for (const SortKey& key : list.sort) {
    signature += key.descending ? '-' : '+';
    signature += shape.columns[key.column].name;
    signature += ',';
  }
  for (const Filter& filter : filters) {
    signature += '|';
    signature += filter.canonical;
  }
  return signature;
}

[[noreturn]] void bad_cursor(std::string_view why) {
  throw http::HttpError(400, "invalid cursor: " + std::string(why));
}

std::vector<SqlValue> decode_cursor(std::string_view token, const ResourceShape& shape,
                                    const std::vector<Filter>& filters, const ListRequest& list,
                                    const security::Signer& signer) {
  auto payload = signer.verify(token);
  if (!payload) bad_cursor("it was altered or is not a cursor of this server");
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(*payload).get(document)) bad_cursor("unreadable");
  std::string_view signature;
  simdjson::dom::array keys;
  if (document["q"].get(signature) || document["k"].get(keys)) bad_cursor("unreadable");
  if (signature != query_signature(shape, filters, list)) bad_cursor("it belongs to a different sort or filter");
  std::vector<SqlValue> values;
  std::size_t index = 0;
  for (simdjson::dom::element key : keys) {
    if (index >= list.sort.size()) bad_cursor("unreadable");
    ColumnType type = shape.columns[list.sort[index].column].type;
    if (type == ColumnType::integer) {
      std::int64_t number = 0;
      if (key.get(number)) bad_cursor("unreadable");
      values.emplace_back(number);
    } else {
      std::string_view text;
      if (key.get(text)) bad_cursor("unreadable");
      values.emplace_back(std::string(text));
    }
    ++index;
  }
  if (values.size() != list.sort.size()) bad_cursor("unreadable");
  return values;
}

}  // namespace

int ResourceShape::column_index(std::string_view name) const {
  for (std::size_t index = 0; index < columns.size(); ++index) {
    if (columns[index].name == name) return static_cast<int>(index);
  }
  return -1;
}

std::string ResourceShape::select_list() const {
  std::string list;
  for (const Column& column : columns) {
    if (!list.empty()) list += ", ";
    list += column.name;
  }
  return list;
}

ListRequest parse_list_request(const http::Request& request, const ResourceShape& shape,
                               const std::vector<Filter>& filters, const security::Signer& signer) {
  ListRequest list;
  std::vector<json::FieldError> errors;
  if (auto limit = bounded_parameter(request, "limit", 1, max_limit, errors)) list.limit = *limit;
  list.page = bounded_parameter(request, "page", 1, 1'000'000, errors);
  if (auto per_page = bounded_parameter(request, "per_page", 1, max_limit, errors)) list.per_page = *per_page;
  if (auto sort = request.query_param("sort")) list.sort = parse_sort(*sort, shape, errors);
  if (auto fields = request.query_param("fields")) {
    list.selected = parse_fields(*fields, shape, errors);
  } else {
    list.selected.assign(shape.columns.size() + shape.extra_fields.size(), true);
  }
  auto cursor = request.query_param("cursor");
  if (cursor && request.query_param("page")) errors.push_back({"cursor", "cannot be combined with page"});
  if (!errors.empty()) throw http::HttpError(422, "invalid list parameters", std::move(errors));

  // The id breaks ties, in the direction of the first key so that one index range serves the page.
  bool has_id = false;
  for (const SortKey& key : list.sort) has_id = has_id || key.column == 0;
  if (!has_id) list.sort.push_back({0, !list.sort.empty() && list.sort.front().descending});
  if (cursor && !cursor->empty()) list.after = decode_cursor(*cursor, shape, filters, list, signer);
  return list;
}

BuiltQuery build_page_query(const ResourceShape& shape, const std::vector<Filter>& filters, const ListRequest& list) {
  BuiltQuery query;
  query.sql = "SELECT " + shape.select_list() + " FROM " + std::string(shape.table);
  std::vector<std::string> conditions;
  for (const Filter& filter : filters) {
    conditions.push_back(filter.condition);
    query.values.insert(query.values.end(), filter.values.begin(), filter.values.end());
  }
  if (list.after) {
    bool same_direction = true;
    for (const SortKey& key : list.sort) same_direction = same_direction && key.descending == list.sort[0].descending;
    std::string condition;
    if (same_direction) {
      // A row-value comparison: SQLite seeks straight to it in the (columns..., id) index.
      std::string left;
      std::string right;
      for (const SortKey& key : list.sort) {
        left += (left.empty() ? "" : ", ") + std::string(shape.columns[key.column].name);
        right += right.empty() ? "?" : ", ?";
      }
      condition = "(" + left + ") " + (list.sort[0].descending ? "<" : ">") + " (" + right + ")";
      query.values.insert(query.values.end(), list.after->begin(), list.after->end());
    } else {
      // Mixed directions: (a > x) OR (a = x AND b < y) OR ...
      for (std::size_t depth = 0; depth < list.sort.size(); ++depth) {
        std::string term;
        for (std::size_t equal = 0; equal < depth; ++equal) {
          term += std::string(shape.columns[list.sort[equal].column].name) + " = ? AND ";
          query.values.push_back((*list.after)[equal]);
        }
        term +=
            std::string(shape.columns[list.sort[depth].column].name) + (list.sort[depth].descending ? " < ?" : " > ?");
        query.values.push_back((*list.after)[depth]);
        condition += (condition.empty() ? "(" : " OR (") + term + ")";
      }
      condition = "(" + condition + ")";
    }
    conditions.push_back(condition);
  }
  for (std::size_t index = 0; index < conditions.size(); ++index) {
    query.sql += (index == 0 ? " WHERE " : " AND ") + conditions[index];
  }
  query.sql += " ORDER BY ";
  for (std::size_t index = 0; index < list.sort.size(); ++index) {
    if (index > 0) query.sql += ", ";
    query.sql += shape.columns[list.sort[index].column].name;
    query.sql += list.sort[index].descending ? " DESC" : " ASC";
  }
  if (list.offset_mode()) {
    query.sql += " LIMIT " + std::to_string(list.per_page) + " OFFSET " +
                 std::to_string(static_cast<std::int64_t>(*list.page - 1) * list.per_page);
  } else {
    query.sql += " LIMIT " + std::to_string(list.limit + 1);
  }
  return query;
}

BuiltQuery build_count_query(const ResourceShape& shape, const std::vector<Filter>& filters) {
  BuiltQuery query;
  query.sql = "SELECT COUNT(*) FROM " + std::string(shape.table);
  for (std::size_t index = 0; index < filters.size(); ++index) {
    query.sql += (index == 0 ? " WHERE " : " AND ") + filters[index].condition;
    query.values.insert(query.values.end(), filters[index].values.begin(), filters[index].values.end());
  }
  return query;
}

void bind_all(db::Statement& statement, const std::vector<SqlValue>& values, int first_index) {
  int index = first_index;
  for (const SqlValue& value : values) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      statement.bind(index++, *number);
    } else {
      statement.bind(index++, std::string_view(std::get<std::string>(value)));
    }
  }
}

namespace {
void write_column(json::JsonWriter& writer, const db::Statement& row, const Column& column, int index) {
  writer.key(column.name);
  if (column.type == ColumnType::integer) {
    writer.value(row.integer(index));
  } else {
    writer.value(row.text(index));
  }
}
}  // namespace

void write_selected_columns(json::JsonWriter& writer, const db::Statement& row, const ResourceShape& shape,
                            const ListRequest& list) {
  for (std::size_t index = 0; index < shape.columns.size(); ++index) {
    if (list.is_selected(index)) write_column(writer, row, shape.columns[index], static_cast<int>(index));
  }
}

void write_all_columns(json::JsonWriter& writer, const db::Statement& row, const ResourceShape& shape) {
  for (std::size_t index = 0; index < shape.columns.size(); ++index) {
    write_column(writer, row, shape.columns[index], static_cast<int>(index));
  }
}

std::vector<SqlValue> sort_values(const db::Statement& row, const ListRequest& list, const ResourceShape& shape) {
  std::vector<SqlValue> values;
  for (const SortKey& key : list.sort) {
    if (shape.columns[key.column].type == ColumnType::integer) {
      values.emplace_back(row.integer(key.column));
    } else {
      values.emplace_back(std::string(row.text(key.column)));
    }
  }
  return values;
}

std::string make_cursor(const ResourceShape& shape, const std::vector<Filter>& filters, const ListRequest& list,
                        const std::vector<SqlValue>& last, const security::Signer& signer) {
  std::string payload;
  json::JsonWriter writer(payload);
  writer.begin_object();
  writer.field("q", std::string_view(query_signature(shape, filters, list)));
  writer.key("k");
  writer.begin_array();
  for (const SqlValue& value : last) {
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      writer.value(*number);
    } else {
      writer.value(std::string_view(std::get<std::string>(value)));
    }
  }
  writer.end_array();
  writer.end_object();
  return signer.sign(payload);
}

Page fetch_page(db::Connection& connection, const ResourceShape& shape, const std::vector<Filter>& filters,
                const ListRequest& list, const security::Signer& signer) {
  Page page;
  BuiltQuery query = build_page_query(shape, filters, list);
  db::Statement statement = connection.prepare(query.sql);
  bind_all(statement, query.values);
  const std::size_t wanted = static_cast<std::size_t>(list.offset_mode() ? list.per_page : list.limit);
  std::vector<SqlValue> last;
  while (statement.step()) {
    if (page.rows.size() == wanted) {  // the extra row: there is a next page
      page.next_cursor = make_cursor(shape, filters, list, last, signer);
      break;
    }
    page.ids.push_back(statement.integer(0));
    std::string members;
    json::JsonWriter writer(members);
    writer.begin_object();  // opened and closed only to let the writer place commas
    write_selected_columns(writer, statement, shape, list);
    writer.end_object();
    page.rows.push_back(members.substr(1, members.size() - 2));
    if (!list.offset_mode()) last = sort_values(statement, list, shape);
  }
  if (list.offset_mode()) {
    page.next_cursor.reset();
    BuiltQuery count = build_count_query(shape, filters);
    db::Statement counter = connection.prepare(count.sql);
    bind_all(counter, count.values);
    counter.step();
    page.total = counter.integer(0);
  }
  return page;
}

void write_page(std::string& out, const Page& page, const ListRequest& list,
                const std::function<void(json::JsonWriter&, std::size_t)>& write_extra) {
  json::JsonWriter writer(out);
  writer.begin_object();
  writer.key("items");
  writer.begin_array();
  for (std::size_t index = 0; index < page.rows.size(); ++index) {
    writer.begin_object();
    if (!page.rows[index].empty()) writer.raw_members(page.rows[index]);
    if (write_extra) write_extra(writer, index);
    writer.end_object();
  }
  writer.end_array();
  if (list.offset_mode()) {
    std::int64_t total = page.total.value_or(0);
    writer.field("total", total);
    writer.field("page", static_cast<std::int64_t>(*list.page));
    writer.field("per_page", static_cast<std::int64_t>(list.per_page));
    writer.field("pages", (total + list.per_page - 1) / list.per_page);
  } else if (page.next_cursor) {
    writer.field("next_cursor", std::string_view(*page.next_cursor));
  } else {
    writer.null_field("next_cursor");
  }
  writer.end_object();
}

}  // namespace tachyon::app::acme
