#include "tachyon/json/schema.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace tachyon::json::detail {

namespace dom = simdjson::dom;

// A value being read. Children share the parent's path buffer and error list, so reading a nested
// value costs no allocation beyond the path segment it appends.
class Reader {
 public:
  Reader(dom::element value, std::string& path, std::vector<FieldError>& errors)
      : value_(value), path_(path), errors_(errors) {}

  dom::element value() const { return value_; }
  std::string& path() const { return path_; }
  Reader child(dom::element value) const { return Reader(value, path_, errors_); }
  void fail(std::string message) const { errors_.push_back({path_, std::move(message)}); }

 private:
  dom::element value_;
  std::string& path_;
  std::vector<FieldError>& errors_;
};

namespace {

// Appends ".name" or "[index]" to the shared path for as long as it lives.
class PathSegment {
 public:
  PathSegment(std::string& path, std::string_view member) : path_(path), length_(path.size()) {
    if (!path.empty()) path += '.';
    path += member;
  }
  PathSegment(std::string& path, std::size_t index) : path_(path), length_(path.size()) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
    path += '[';
    path.append(digits, end);
    path += ']';
  }
  PathSegment(const PathSegment&) = delete;
  PathSegment& operator=(const PathSegment&) = delete;
  ~PathSegment() { path_.resize(length_); }

 private:
  std::string& path_;
  std::size_t length_;
};

std::string format_number(double number) {
  char digits[32];
  const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
  return std::string(digits, end);
}

// "1 character", "500 characters".
std::string count_of(std::size_t count, std::string_view noun) {
  std::string text = std::to_string(count);
  text += ' ';
  text += noun;
  if (count != 1) text += 's';
  return text;
}

// simdjson has already rejected invalid UTF-8, so every byte that is not a continuation byte
// (10xxxxxx) starts a code point.
std::size_t count_code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }));
}

std::string join(const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& value : values) {
    if (!text.empty()) text += ", ";
    text += value;
  }
  return text;
}

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char byte) {
    const auto code = static_cast<unsigned char>(byte);
    return code <= 0x20 || code == 0x7F;
  });
}

// Deliberately loose (RFC 5322 accepts far more): one @, something before it, and a domain with an
// inner dot. The real check is sending mail to it.
bool is_email(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (local.empty() || domain.size() < 3 || has_space_or_control(text)) return false;
  const std::size_t dot = domain.find('.');
  return dot != std::string_view::npos && domain.front() != '.' && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

std::optional<std::string> string_violation(std::string_view text, const StringRules& rules) {
  if (rules.min_length || rules.max_length) {
    const std::size_t length = count_code_points(text);
    if (rules.min_length && length < *rules.min_length) {
      return "must be at least " + count_of(*rules.min_length, "character");
    }
    if (rules.max_length && length > *rules.max_length) {
      return "must be at most " + count_of(*rules.max_length, "character");
    }
  }
  if (!rules.one_of.empty() && std::find(rules.one_of.begin(), rules.one_of.end(), text) == rules.one_of.end()) {
    return "must be one of: " + join(rules.one_of);
  }
  if (rules.format == "email" && !is_email(text)) return "must be a valid email address";
  return std::nullopt;
}

std::optional<std::string> number_violation(double number, const NumberRules& rules) {
  if (rules.minimum && !(number >= *rules.minimum)) return "must be >= " + format_number(*rules.minimum);
  if (rules.exclusive_minimum && !(number > *rules.exclusive_minimum)) {
    return "must be > " + format_number(*rules.exclusive_minimum);
  }
  if (rules.maximum && !(number <= *rules.maximum)) return "must be <= " + format_number(*rules.maximum);
  if (rules.exclusive_maximum && !(number < *rules.exclusive_maximum)) {
    return "must be < " + format_number(*rules.exclusive_maximum);
  }
  return std::nullopt;
}

// simdjson reads up to SIMDJSON_PADDING bytes past the end, so the body is copied into a padded buffer.
// The buffer and the parser are kept per thread so that steady-state requests allocate nothing here; the
// element returned stays valid until the next parse on this thread.
simdjson::simdjson_result<dom::element> parse_document(std::string_view body) {
  thread_local std::string padded;
  thread_local dom::parser parser;
  if (padded.size() < body.size() + simdjson::SIMDJSON_PADDING) padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  if (!body.empty()) std::memcpy(padded.data(), body.data(), body.size());
  return parser.parse(padded.data(), body.size(), false);
}

void write_type(JsonWriter& writer, std::string_view type, bool nullable) {
  writer.key("type");
  if (!nullable) {
    writer.value(type);
    return;
  }
  writer.begin_array();
  writer.value(type);
  writer.value("null");
  writer.end_array();
}

template <typename Bound>
void write_bound(JsonWriter& writer, std::string_view keyword, const std::optional<Bound>& bound) {
  if (bound) writer.field(keyword, *bound);
}

}  // namespace

// ---- Objects ----

void ObjectShape::add(FieldDescriptor field) {
  if (fields_.size() == max_fields) throw std::invalid_argument("ObjectSchema " + name_ + ": too many fields");
  if (find(field.name)) throw std::invalid_argument("ObjectSchema " + name_ + ": field declared twice: " + field.name);
  fields_.push_back(std::move(field));
}

std::optional<std::size_t> ObjectShape::find(std::string_view name) const {
  // A linear scan beats hashing for the handful of fields a request body has.
  for (std::size_t index = 0; index < fields_.size(); ++index) {
    if (fields_[index].name == name) return index;
  }
  return std::nullopt;
}

std::optional<std::string> ObjectShape::parse(std::string_view body, void* target,
                                              std::vector<FieldError>& errors) const {
  dom::element root;
  if (const simdjson::error_code error = parse_document(body).get(root))
    return std::string(simdjson::error_message(error));
  std::string path;
  Reader reader(root, path, errors);
  read(reader, target);
  return std::nullopt;
}

void ObjectShape::read(Reader& reader, void* target) const {
  dom::object members;
  if (reader.value().get(members) != simdjson::SUCCESS) {
    reader.fail("must be an object");
    return;
  }
  std::uint64_t seen = 0;
  for (const dom::key_value_pair member : members) {
    PathSegment segment(reader.path(), member.key);
    Reader child = reader.child(member.value);
    read_member(child, member.key, seen, target);
  }
  report_missing(reader, seen);
}

void ObjectShape::read_member(Reader& member, std::string_view key, std::uint64_t& seen, void* target) const {
  const std::optional<std::size_t> index = find(key);
  if (!index) {
    member.fail("unknown field");
    return;
  }
  const std::uint64_t bit = std::uint64_t{1} << *index;
  if ((seen & bit) != 0) {
    member.fail("duplicate field");
    return;
  }
  seen |= bit;
  const FieldDescriptor& field = fields_[*index];
  if (member.value().is_null()) {
    if (field.required) member.fail("is required");
    return;
  }
  field.read(member, target);
}

void ObjectShape::report_missing(Reader& reader, std::uint64_t seen) const {
  for (std::size_t index = 0; index < fields_.size(); ++index) {
    if (!fields_[index].required || (seen & (std::uint64_t{1} << index)) != 0) continue;
    PathSegment segment(reader.path(), fields_[index].name);
    reader.fail("is required");
  }
}

void ObjectShape::write_json_schema(JsonWriter& writer) const {
  writer.begin_object();
  if (!name_.empty()) writer.field("title", name_);
  writer.field("type", "object");
  writer.key("properties");
  writer.begin_object();
  for (const FieldDescriptor& field : fields_) {
    writer.key(field.name);
    field.write_schema(writer);
  }
  writer.end_object();
  // An empty `required` array is invalid before draft 2019-09, so it is left out.
  if (std::any_of(fields_.begin(), fields_.end(), [](const FieldDescriptor& field) { return field.required; })) {
    writer.key("required");
    writer.begin_array();
    for (const FieldDescriptor& field : fields_) {
      if (field.required) writer.value(std::string_view(field.name));
    }
    writer.end_array();
  }
  writer.field("additionalProperties", false);
  writer.end_object();
}

// ---- Scalars and arrays ----

std::optional<std::string> read_string(Reader& reader, const StringRules& rules) {
  std::string_view text;
  if (reader.value().get(text) != simdjson::SUCCESS) {
    reader.fail("must be a string");
    return std::nullopt;
  }
  if (std::optional<std::string> violation = string_violation(text, rules)) {
    reader.fail(std::move(*violation));
    return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::int64_t> read_integer(Reader& reader, const IntegerRules& rules) {
  const dom::element_type type = reader.value().type();
  if (type == dom::element_type::UINT64) {
    // simdjson uses UINT64 only for integers above INT64_MAX, so the upper bound is what failed.
    const std::int64_t maximum = rules.maximum.value_or(std::numeric_limits<std::int64_t>::max());
    reader.fail("must be <= " + std::to_string(maximum));
    return std::nullopt;
  }
  std::int64_t number = 0;
  if (type != dom::element_type::INT64 || reader.value().get(number) != simdjson::SUCCESS) {
    reader.fail("must be an integer");
    return std::nullopt;
  }
  if (rules.minimum && number < *rules.minimum) {
    reader.fail("must be >= " + std::to_string(*rules.minimum));
    return std::nullopt;
  }
  if (rules.maximum && number > *rules.maximum) {
    reader.fail("must be <= " + std::to_string(*rules.maximum));
    return std::nullopt;
  }
  return number;
}

std::optional<double> read_number(Reader& reader, const NumberRules& rules) {
  double number = 0;
  // get<double> also converts INT64 and UINT64 elements, so JSON integers are numbers too.
  if (!reader.value().is_number() || reader.value().get(number) != simdjson::SUCCESS) {
    reader.fail("must be a number");
    return std::nullopt;
  }
  if (std::optional<std::string> violation = number_violation(number, rules)) {
    reader.fail(std::move(*violation));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> read_boolean(Reader& reader) {
  bool flag = false;
  if (reader.value().get(flag) != simdjson::SUCCESS) {
    reader.fail("must be a boolean");
    return std::nullopt;
  }
  return flag;
}

void read_array(Reader& reader, const ArrayRules& rules, const std::function<void(Reader& item)>& read_item) {
  dom::array items;
  if (reader.value().get(items) != simdjson::SUCCESS) {
    reader.fail("must be an array");
    return;
  }
  std::size_t count = 0;
  for ([[maybe_unused]] dom::element item : items) ++count;  // size() saturates at 2^24 - 1
  if (rules.min_items && count < *rules.min_items) {
    reader.fail("must contain at least " + count_of(*rules.min_items, "item"));
  } else if (rules.max_items && count > *rules.max_items) {
    reader.fail("must contain at most " + count_of(*rules.max_items, "item"));
  }
  std::size_t index = 0;
  for (dom::element item : items) {
    PathSegment segment(reader.path(), index++);
    Reader child = reader.child(item);
    read_item(child);
  }
}

void check_rules(const StringRules& rules) {
  if (!rules.format.empty() && rules.format != "email") {
    throw std::invalid_argument("unsupported string format: " + rules.format);
  }
}

// ---- JSON Schema ----

WriteSchema describe_string(StringRules rules, bool nullable) {
  return [rules = std::move(rules), nullable](JsonWriter& writer) {
    writer.begin_object();
    write_type(writer, "string", nullable);
    write_bound(writer, "minLength", rules.min_length);
    write_bound(writer, "maxLength", rules.max_length);
    if (!rules.one_of.empty()) {
      writer.key("enum");
      writer.begin_array();
      for (const std::string& allowed : rules.one_of) writer.value(std::string_view(allowed));
      if (nullable) writer.null();  // otherwise the enum would reject the null that the type allows
      writer.end_array();
    }
    if (!rules.format.empty()) writer.field("format", rules.format);
    writer.end_object();
  };
}

WriteSchema describe_integer(IntegerRules rules, bool nullable) {
  return [rules, nullable](JsonWriter& writer) {
    writer.begin_object();
    write_type(writer, "integer", nullable);
    write_bound(writer, "minimum", rules.minimum);
    write_bound(writer, "maximum", rules.maximum);
    writer.end_object();
  };
}

WriteSchema describe_number(NumberRules rules, bool nullable) {
  return [rules, nullable](JsonWriter& writer) {
    writer.begin_object();
    write_type(writer, "number", nullable);
    write_bound(writer, "minimum", rules.minimum);
    write_bound(writer, "exclusiveMinimum", rules.exclusive_minimum);
    write_bound(writer, "maximum", rules.maximum);
    write_bound(writer, "exclusiveMaximum", rules.exclusive_maximum);
    writer.end_object();
  };
}

WriteSchema describe_boolean(bool nullable) {
  return [nullable](JsonWriter& writer) {
    writer.begin_object();
    write_type(writer, "boolean", nullable);
    writer.end_object();
  };
}

WriteSchema describe_array(ArrayRules rules, std::shared_ptr<const ObjectShape> items) {
  return [rules, items = std::move(items)](JsonWriter& writer) {
    writer.begin_object();
    writer.field("type", "array");
    writer.key("items");
    items->write_json_schema(writer);
    write_bound(writer, "minItems", rules.min_items);
    write_bound(writer, "maxItems", rules.max_items);
    writer.end_object();
  };
}

WriteSchema describe_object(std::shared_ptr<const ObjectShape> shape) {
  return [shape = std::move(shape)](JsonWriter& writer) { shape->write_json_schema(writer); };
}

}  // namespace tachyon::json::detail
