// Parsers and formatters for the value syntaxes settings accept: integers, byte sizes,
// durations, booleans, fixed choices and media type lists. Shared by the settings table, the loader and the docs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::config {

// Either a parsed value or why the input was rejected. The reason is phrased to follow the
// quoted input, so callers can build `"80x" is not an integer between 0 and 65535`.
template <typename Value>
struct ParseResult {
  std::optional<Value> value;
  std::string reason;

  bool ok() const { return value.has_value(); }
};

// Decimal digits only: no sign, no spaces, no hex, so "0x10" or " 8" are rejected.
ParseResult<std::uint64_t> parse_integer(std::string_view text, std::uint64_t minimum, std::uint64_t maximum);

// Plain bytes ("4096") or a whole number with a binary suffix: "64KiB", "1MiB", "1GiB".
// Decimal suffixes (k, KB, MB) are rejected on purpose: they are ambiguous between 1000 and 1024.
ParseResult<std::uint64_t> parse_size(std::string_view text, std::uint64_t minimum, std::uint64_t maximum);

// A whole number with a unit: "250ms", "10s", "2m", "1h". A bare "0" is allowed; any other
// unit-less number is rejected because "10" could mean seconds or milliseconds.
ParseResult<std::chrono::milliseconds> parse_duration(std::string_view text, std::chrono::milliseconds minimum,
                                                      std::chrono::milliseconds maximum);

// true/false, yes/no, on/off, 1/0, case-insensitive.
ParseResult<bool> parse_boolean(std::string_view text);

// Case-insensitive match against `choices`; returns the index of the match.
ParseResult<std::size_t> parse_choice(std::string_view text, std::span<const std::string_view> choices);

// Comma-separated entries with the spaces around each trimmed; `check` says why an entry is refused.
// Empty text is an empty list when `empty_allowed`, else refused.
ParseResult<std::vector<std::string>> parse_list(
    std::string_view text, const std::function<std::optional<std::string>(std::string_view)>& check,
    bool empty_allowed);
// Comma-separated media types, "application/json, text/" (an entry ending in '/' is a whole top-level
// type): at least one, each type/subtype of token characters, lower-cased.
ParseResult<std::vector<std::string>> parse_media_type_list(std::string_view text);
// Comma-separated HTTP tokens (method or header field names), possibly none.
ParseResult<std::vector<std::string>> parse_token_list(std::string_view text);
// Inverse of parse_media_type_list: the entries joined by ','.
std::string format_list(const std::vector<std::string>& entries);

// Inverse of parse_size: the largest exact binary unit, e.g. 16384 -> "16KiB", 1000 -> "1000".
std::string format_size(std::uint64_t bytes);

// Inverse of parse_duration: the largest exact unit, e.g. 10000ms -> "10s", 1500ms -> "1500ms".
std::string format_duration(std::chrono::milliseconds duration);

// Double-quotes `text` with \n, \t, \", \\ and other control bytes escaped, so a value with
// a newline still yields a one-line error message or .env line.
std::string quote(std::string_view text);

// Case-insensitive ASCII comparison; settings are ASCII by definition.
bool equals_ignoring_case(std::string_view left, std::string_view right);

}  // namespace tachyon::config
