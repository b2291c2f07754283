#include "tachyon/http/response_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "tachyon/http/request.hpp"

namespace tachyon::http {
namespace {

constexpr std::size_t max_head_bytes = 64 * 1024;
constexpr std::size_t max_chunk_line_bytes = 1024;

bool contains_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (http::iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// `name` equals `lower` (lower case letters and '-') ignoring the case of letters. Inline, unlike
// http::iequals, whose call and per-character tolower were a tenth of the generator's instructions
// per request (bench/loadgen_callgrind.sh).
inline bool equals_lower(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (std::size_t index = 0; index < name.size(); ++index) {
    char expected = lower[index];
    char actual = expected >= 'a' && expected <= 'z' ? static_cast<char>(name[index] | 0x20) : name[index];
    if (actual != expected) return false;
  }
  return true;
}

enum class FramingHeader { other, content_length, transfer_encoding, connection };

// The header fields that frame a response, told apart by their length before any comparison.
FramingHeader framing_header(std::string_view name) {
  switch (name.size()) {
    case 14:
      return equals_lower(name, "content-length") ? FramingHeader::content_length : FramingHeader::other;
    case 17:
      return equals_lower(name, "transfer-encoding") ? FramingHeader::transfer_encoding : FramingHeader::other;
    case 10:
      return equals_lower(name, "connection") ? FramingHeader::connection : FramingHeader::other;
    default:
      return FramingHeader::other;
  }
}

}  // namespace

void ResponseParser::reset(bool head_request, bool capture_body, bool capture_headers) {
  state_ = State::head;
  head_request_ = head_request;
  capture_body_ = capture_body;
  capture_headers_ = capture_headers;
  status_ = 0;
  keep_alive_ = true;
  remaining_ = 0;
  body_bytes_ = 0;
  body_.clear();
  headers_.clear();
}

void ResponseParser::take_body(std::string_view bytes) {
  body_bytes_ += bytes.size();
  if (capture_body_) body_.append(bytes);
}

ResponseParser::Result ResponseParser::parse_head(std::string_view data, std::size_t& consumed) {
  // One pass: each line is found with one memchr for its '\n' and the head ends at the first empty
  // line; only header names starting with c or t are compared (Content-Length, Connection,
  // Transfer-Encoding). Searching for "\r\n\r\n" first and then splitting the lines cost a memchr
  // per line twice over: two thirds of the generator's instructions per request (bench/loadgen_callgrind.sh).
  const char* begin = data.data();
  const char* end = begin + data.size();
  auto incomplete = [&] { return data.size() > max_head_bytes ? Result::error : Result::need_more; };
  auto next_line = [&](const char* from, std::string_view& line) {
    const auto* newline = static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
    if (newline == nullptr) return static_cast<const char*>(nullptr);
    line = std::string_view(from, static_cast<std::size_t>(newline - from));
    return newline + 1;
  };
  std::string_view status_line;
  const char* cursor = next_line(begin, status_line);
  if (cursor == nullptr) return incomplete();
  // "HTTP/1.1 200 OK\r": the version, one space, three digits.
  if (status_line.size() < 13 || status_line.back() != '\r' || status_line.substr(0, 7) != "HTTP/1." ||
      status_line[8] != ' ') {
    return Result::error;
  }
  bool http10 = status_line[7] == '0';
  auto [pointer, error] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status_);
  if (error != std::errc() || pointer != status_line.data() + 12 || status_ < 100) return Result::error;
  keep_alive_ = !http10;
  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  while (true) {
    std::string_view line;
    cursor = next_line(cursor, line);
    if (cursor == nullptr) return incomplete();
    if (line.empty() || line.back() != '\r') return Result::error;  // header lines end with CRLF
    line.remove_suffix(1);
    if (line.empty()) break;
    char first = static_cast<char>(line[0] | 0x20);           // ASCII lower case
    if (first != 'c' && first != 't' && !capture_headers_) {  // a caller keeping fields needs them all
      if (line.find(':') == std::string_view::npos) return Result::error;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Result::error;
    std::string_view name = line.substr(0, colon);
    FramingHeader framing = framing_header(name);
    if (framing == FramingHeader::other && !capture_headers_) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (capture_headers_) headers_.emplace_back(name, value);
    if (framing == FramingHeader::content_length) {
      auto [end_pointer, parse_error] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (parse_error != std::errc() || end_pointer != value.data() + value.size()) return Result::error;
      has_length = true;
    } else if (framing == FramingHeader::transfer_encoding) {
      chunked = contains_token(value, "chunked");
    } else if (framing == FramingHeader::connection) {
      if (contains_token(value, "close")) keep_alive_ = false;
      if (contains_token(value, "keep-alive")) keep_alive_ = true;
    }
  }
  consumed = static_cast<std::size_t>(cursor - begin);
  // RFC 9112 section 6.3: no body for HEAD, 1xx, 204 and 304; chunked wins over Content-Length.
  if (head_request_ || status_ < 200 || status_ == 204 || status_ == 304) {
    state_ = State::done;
  } else if (chunked) {
    state_ = State::chunk_size;
  } else if (has_length) {
    remaining_ = length;
    state_ = length == 0 ? State::done : State::fixed_body;
  } else {
    state_ = State::until_close;
    keep_alive_ = false;
  }
  return state_ == State::done ? Result::complete : Result::need_more;
}

ResponseParser::Result ResponseParser::parse(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  while (true) {
    std::string_view rest = data.substr(consumed);
    switch (state_) {
      case State::head: {
        std::size_t used = 0;
        Result result = parse_head(rest, used);
        consumed += used;
        if (result != Result::need_more || used == 0) return result;
        break;
      }
      case State::fixed_body: {
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        take_body(rest.substr(0, take));
        consumed += take;
        remaining_ -= take;
        if (remaining_ > 0) return Result::need_more;
        state_ = State::done;
        return Result::complete;
      }
      case State::chunk_size: {
        std::size_t line_end = rest.find("\r\n");
        if (line_end == std::string_view::npos) {
          return rest.size() > max_chunk_line_bytes ? Result::error : Result::need_more;
        }
        std::uint64_t size = 0;
        auto [pointer, error] = std::from_chars(rest.data(), rest.data() + line_end, size, 16);
        if (error != std::errc() || pointer == rest.data()) return Result::error;
        consumed += line_end + 2;
        remaining_ = size;
        state_ = size == 0 ? State::trailers : State::chunk_data;
        break;
      }
      case State::chunk_data: {
        if (rest.empty()) return Result::need_more;
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        take_body(rest.substr(0, take));
        consumed += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::chunk_data_end;
        break;
      }
      case State::chunk_data_end: {
        if (rest.size() < 2) return Result::need_more;
        if (rest.substr(0, 2) != "\r\n") return Result::error;
        consumed += 2;
        state_ = State::chunk_size;
        break;
      }
      case State::trailers: {
        // Trailer fields end with an empty line; they are skipped.
        std::size_t line_end = rest.find("\r\n");
        if (line_end == std::string_view::npos) {
          return rest.size() > max_head_bytes ? Result::error : Result::need_more;
        }
        consumed += line_end + 2;
        if (line_end == 0) {
          state_ = State::done;
          return Result::complete;
        }
        break;
      }
      case State::until_close:
        take_body(rest);
        consumed += rest.size();
        return Result::need_more;
      case State::done:
        return Result::complete;
    }
  }
}

ResponseParser::Result ResponseParser::finish_on_close() {
  if (state_ == State::until_close) {
    state_ = State::done;
    return Result::complete;
  }
  return state_ == State::done ? Result::complete : Result::error;
}

}  // namespace tachyon::http
