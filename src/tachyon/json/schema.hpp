// Declarative request bodies: describe a C++ type once with ObjectSchema<T> and get parsing (simdjson),
// validation that reports every failing field in one pass, and the matching JSON Schema for API docs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tachyon/json/problem.hpp"
#include "tachyon/json/writer.hpp"

// Behaviour every ObjectSchema shares:
// - Every field is required unless declared optional_*. JSON null counts as absent: an optional field keeps
//   its default, a required one is reported "is required".
// - Members not declared are errors ("unknown field"), and so is a member given twice ("duplicate field"):
//   last-one-wins would let two parsers read the same body differently.
// - Error paths look like "email", "items[0].quantity", "address.city". A body that is valid JSON but not an
//   object is reported with the empty path "" (the whole body) and "must be an object".
// - Each field reports at most its first failing rule; all failing fields are reported.
// - Integer fields take JSON integers only (1.0 and 1.5 are "must be an integer"). Integers above int64 are
//   reported "must be <= ..."; integers beyond the uint64 range are rejected by simdjson as a syntax error.
namespace tachyon::json {

// Rules are written with designated initializers: {.minimum = 1}. Every member has an explicit default
// because GCC's -Wmissing-field-initializers would otherwise flag each member left out.

// Lengths count Unicode code points, as JSON Schema's minLength/maxLength do, not bytes.
struct StringRules {
  std::optional<std::size_t> min_length = std::nullopt;
  std::optional<std::size_t> max_length = std::nullopt;
  std::vector<std::string> one_of = {};  // the allowed values; empty allows any
  std::string format = "";               // "" or "email"; any other value throws std::invalid_argument when declared
};

// Inclusive bounds.
struct IntegerRules {
  std::optional<std::int64_t> minimum = std::nullopt;
  std::optional<std::int64_t> maximum = std::nullopt;
};

struct NumberRules {
  std::optional<double> minimum = std::nullopt;            // value >= minimum
  std::optional<double> maximum = std::nullopt;            // value <= maximum
  std::optional<double> exclusive_minimum = std::nullopt;  // value > exclusive_minimum
  std::optional<double> exclusive_maximum = std::nullopt;  // value < exclusive_maximum
};

struct ArrayRules {
  std::optional<std::size_t> min_items = std::nullopt;
  std::optional<std::size_t> max_items = std::nullopt;
};

template <typename T>
struct ParseResult {
  std::optional<T> value;                   // set only when the body is valid
  std::optional<std::string> syntax_error;  // the body is not JSON: answer 400 with this message
  std::vector<FieldError> errors;           // every failing field: answer 422

  bool ok() const { return value.has_value(); }
};

namespace detail {

class Reader;  // a parsed JSON value with its path and the shared error list; defined in schema.cpp

using ReadField = std::function<void(Reader& reader, void* target)>;
using WriteSchema = std::function<void(JsonWriter& writer)>;

// One declared field with its C++ type erased: `read` fills the member of the object at `target`.
struct FieldDescriptor {
  std::string name;
  bool required = true;
  ReadField read;
  WriteSchema write_schema;
};

// The part of an object schema that does not depend on the C++ type, so it is compiled once in schema.cpp.
class ObjectShape {
 public:
  static constexpr std::size_t max_fields = 64;  // seen fields are tracked in one 64-bit mask

  explicit ObjectShape(std::string name) : name_(std::move(name)) {}

  // Throws std::invalid_argument for a repeated name or more than max_fields fields.
  void add(FieldDescriptor field);
  std::string_view name() const { return name_; }

  // Returns simdjson's message when `body` is not JSON; otherwise reads it into `target`, appending to `errors`.
  std::optional<std::string> parse(std::string_view body, void* target, std::vector<FieldError>& errors) const;
  void read(Reader& reader, void* target) const;
  void write_json_schema(JsonWriter& writer) const;

 private:
  std::optional<std::size_t> find(std::string_view name) const;
  void read_member(Reader& member, std::string_view key, std::uint64_t& seen, void* target) const;
  void report_missing(Reader& reader, std::uint64_t seen) const;

  std::string name_;
  std::vector<FieldDescriptor> fields_;
};

// Each reader records an error at the reader's path and returns nullopt when the value is unusable.
std::optional<std::string> read_string(Reader& reader, const StringRules& rules);
std::optional<std::int64_t> read_integer(Reader& reader, const IntegerRules& rules);
std::optional<double> read_number(Reader& reader, const NumberRules& rules);
std::optional<bool> read_boolean(Reader& reader);
// Checks the type and size, then calls read_item for every element (even when the size is wrong, so
// the items' own errors are reported in the same response).
void read_array(Reader& reader, const ArrayRules& rules, const std::function<void(Reader& item)>& read_item);

// Throws std::invalid_argument for rules that can never be checked (an unknown format).
void check_rules(const StringRules& rules);

WriteSchema describe_string(StringRules rules, bool nullable);
WriteSchema describe_integer(IntegerRules rules, bool nullable);
WriteSchema describe_number(NumberRules rules, bool nullable);
WriteSchema describe_boolean(bool nullable);
WriteSchema describe_array(ArrayRules rules, std::shared_ptr<const ObjectShape> items);
WriteSchema describe_object(std::shared_ptr<const ObjectShape> shape);

}  // namespace detail

// The description of a JSON object that is read into a T. Build it once (a function-local static) and
// reuse it: parse() is const and safe to call from several threads at once.
template <typename T>
class ObjectSchema {
 public:
  explicit ObjectSchema(std::string name) : shape_(std::move(name)) {}

  ObjectSchema& string(std::string name, std::string T::*member, StringRules rules = {}) {
    detail::check_rules(rules);
    return scalar(std::move(name), member, true, detail::describe_string(rules, false),
                  [rules](detail::Reader& reader) { return detail::read_string(reader, rules); });
  }
  ObjectSchema& optional_string(std::string name, std::optional<std::string> T::*member, StringRules rules = {}) {
    detail::check_rules(rules);
    return scalar(std::move(name), member, false, detail::describe_string(rules, true),
                  [rules](detail::Reader& reader) { return detail::read_string(reader, rules); });
  }
  ObjectSchema& integer(std::string name, std::int64_t T::*member, IntegerRules rules = {}) {
    return scalar(std::move(name), member, true, detail::describe_integer(rules, false),
                  [rules](detail::Reader& reader) { return detail::read_integer(reader, rules); });
  }
  ObjectSchema& optional_integer(std::string name, std::optional<std::int64_t> T::*member, IntegerRules rules = {}) {
    return scalar(std::move(name), member, false, detail::describe_integer(rules, true),
                  [rules](detail::Reader& reader) { return detail::read_integer(reader, rules); });
  }
  ObjectSchema& number(std::string name, double T::*member, NumberRules rules = {}) {
    return scalar(std::move(name), member, true, detail::describe_number(rules, false),
                  [rules](detail::Reader& reader) { return detail::read_number(reader, rules); });
  }
  ObjectSchema& optional_number(std::string name, std::optional<double> T::*member, NumberRules rules = {}) {
    return scalar(std::move(name), member, false, detail::describe_number(rules, true),
                  [rules](detail::Reader& reader) { return detail::read_number(reader, rules); });
  }
  ObjectSchema& boolean(std::string name, bool T::*member) {
    return scalar(std::move(name), member, true, detail::describe_boolean(false),
                  [](detail::Reader& reader) { return detail::read_boolean(reader); });
  }
  ObjectSchema& optional_boolean(std::string name, std::optional<bool> T::*member) {
    return scalar(std::move(name), member, false, detail::describe_boolean(true),
                  [](detail::Reader& reader) { return detail::read_boolean(reader); });
  }

  // A JSON array of objects described by `items`, which is copied (it may be a temporary).
  template <typename Item>
  ObjectSchema& array(std::string name, std::vector<Item> T::*member, const ObjectSchema<Item>& items,
                      ArrayRules rules = {}) {
    auto item_shape = std::make_shared<const detail::ObjectShape>(items.shape());
    auto read = [member, item_shape, rules](detail::Reader& reader, void* target) {
      std::vector<Item>& list = target_of(target).*member;
      list.clear();
      detail::read_array(reader, rules, [&](detail::Reader& item) { item_shape->read(item, &list.emplace_back()); });
    };
    shape_.add({std::move(name), true, std::move(read), detail::describe_array(rules, item_shape)});
    return *this;
  }

  // A nested JSON object described by `schema`, which is copied (it may be a temporary).
  template <typename Member>
  ObjectSchema& object(std::string name, Member T::*member, const ObjectSchema<Member>& schema) {
    auto nested_shape = std::make_shared<const detail::ObjectShape>(schema.shape());
    auto read = [member, nested_shape](detail::Reader& reader, void* target) {
      nested_shape->read(reader, &(target_of(target).*member));
    };
    shape_.add({std::move(name), true, std::move(read), detail::describe_object(nested_shape)});
    return *this;
  }

  // `body` need not be padded: it is copied into a reused per-thread buffer for simdjson.
  ParseResult<T> parse(std::string_view body) const {
    ParseResult<T> result;
    T value{};
    result.syntax_error = shape_.parse(body, &value, result.errors);
    if (!result.syntax_error && result.errors.empty()) result.value = std::move(value);
    return result;
  }

  // A JSON Schema (draft 2020-12, OpenAPI 3.1) object with this schema's name as its title.
  void write_json_schema(JsonWriter& writer) const { shape_.write_json_schema(writer); }
  std::string_view name() const { return shape_.name(); }
  const detail::ObjectShape& shape() const { return shape_; }

 private:
  static T& target_of(void* target) { return *static_cast<T*>(target); }

  // A field whose value is produced by one reader; `Member` is the value type or std::optional of it.
  template <typename Member, typename ReadValue>
  ObjectSchema& scalar(std::string name, Member T::*member, bool required, detail::WriteSchema describe,
                       ReadValue read_value) {
    auto read = [member, read_value](detail::Reader& reader, void* target) {
      if (auto parsed = read_value(reader)) target_of(target).*member = std::move(*parsed);
    };
    shape_.add({std::move(name), required, std::move(read), std::move(describe)});
    return *this;
  }

  detail::ObjectShape shape_;
};

}  // namespace tachyon::json
