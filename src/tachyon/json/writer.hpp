// Streaming JSON output: JsonWriter appends straight into a caller's buffer (usually the response
// body), placing commas itself, so handlers never build intermediate strings or DOM trees.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tachyon::json {

// Appends `text` as a quoted JSON string. `"`, `\` and control characters are escaped; every other
// byte, including UTF-8 sequences, is copied as is (the caller is responsible for valid UTF-8).
void append_json_string(std::string& out, std::string_view text);

// Writes one JSON value into `out`, appending only. Nesting deeper than max_depth throws
// std::length_error and an end_* without its begin_* throws std::logic_error: both are programming
// errors, and a fixed-size stack keeps the writer free of heap allocations.
// At the top level no commas are placed, so a writer can also emit a single value into a larger
// document that the caller builds by hand.
class JsonWriter {
 public:
  static constexpr std::size_t max_depth = 64;

  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // The member name of the next value inside an object.
  void key(std::string_view name);

  void value(std::string_view text);
  void value(const char* text);  // without it a string literal would pick value(bool); nullptr writes null
  void value(std::int64_t number);
  void value(std::uint64_t number);
  void value(int number) { value(static_cast<std::int64_t>(number)); }
  void value(double number);  // shortest text that reads back to the same double; NaN and infinities write null
  void value(bool flag);
  // Other integer types (unsigned, long long, short...) would otherwise be ambiguous between the overloads above.
  template <std::integral Integer>
  requires(!std::same_as<Integer, bool>) void value(Integer number) {
    if constexpr (std::is_signed_v<Integer>) {
      value(static_cast<std::int64_t>(number));
    } else {
      value(static_cast<std::uint64_t>(number));
    }
  }
  void null();
  // Inserts text that is already valid JSON (a cached fragment, say), with commas handled as for any value.
  void raw(std::string_view already_json);
  // Inserts members already rendered as `"a":1,"b":2` into the object being written (a row rendered
  // once and reused), placing the comma before them as for any member.
  void raw_members(std::string_view members) {
    if (members.empty()) return;
    if (has_items_[depth_]) out_ += ',';
    has_items_[depth_] = true;
    out_ += members;
  }

  // key(name) followed by value(v).
  template <typename Value>
  void field(std::string_view name, const Value& v) {
    key(name);
    value(v);
  }
  void null_field(std::string_view name) {
    key(name);
    null();
  }

  std::size_t depth() const { return depth_; }

 private:
  // Emits the comma that separates this value from the previous one in the same container.
  void before_value() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ == 0) return;
    if (has_items_[depth_]) out_ += ',';
    has_items_[depth_] = true;
  }
  void open(char bracket) {
    if (depth_ == max_depth) throw std::length_error("JsonWriter: nesting deeper than max_depth");
    before_value();
    out_ += bracket;
    has_items_[++depth_] = false;
  }
  void close(char bracket) {
    if (depth_ == 0) throw std::logic_error("JsonWriter: end without a matching begin");
    --depth_;
    out_ += bracket;
  }

  std::string& out_;
  std::array<bool, max_depth + 1> has_items_{};  // index 0 is the top level, which never gets commas
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

}  // namespace tachyon::json
