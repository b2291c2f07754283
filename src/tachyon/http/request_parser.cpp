#include "tachyon/http/request_parser.hpp"

#include "tachyon/http/field_values.hpp"

#include <array>
#include <cstring>

namespace tachyon::http {

namespace {

// field-value characters: VCHAR, obs-text, SP and HTAB; never CR, LF, NUL or other controls.
// No early exit: the loop then vectorizes (16 bytes a step), and valid values, the common case, are read
// to their end anyway. Long values are bearer tokens of 500+ bytes on every authenticated request.
bool is_field_value(std::string_view text) {
  unsigned bad = 0;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bad |= static_cast<unsigned>((byte < 0x20) & (byte != '\t')) | static_cast<unsigned>(byte == 0x7f);
  }
  return bad == 0;
}

bool is_target_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte > 0x20 && byte != 0x7f;
}

bool parse_decimal(std::string_view text, std::uint64_t& value) {
  if (text.empty() || text.size() > 19) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::size_t max_leading_empty_lines = 4;  // RFC 9112 §2.2 asks to skip at least one
constexpr std::size_t max_chunk_line_bytes = 4096;  // chunk size plus extensions

}  // namespace

ParseState HeadParser::fail(int status, std::string_view detail) {
  error_ = ParseError{status, detail};
  return ParseState::error;
}

void HeadParser::reset() {
  scanned_ = line_start_ = request_start_ = head_length_ = 0;
  request_line_seen_ = false;
  error_ = {};
  content_length_count_ = host_count_ = 0;
  transfer_encoding_seen_ = chunked_last_ = other_coding_seen_ = false;
}

ParseState HeadParser::parse(std::string_view data, Request& request) {
  const char* base = data.data();
  while (scanned_ < data.size()) {
    const void* found = std::memchr(base + scanned_, '\n', data.size() - scanned_);
    if (found == nullptr) {
      scanned_ = data.size();
      break;
    }
    std::size_t newline = static_cast<const char*>(found) - base;
    scanned_ = newline + 1;
    if (newline == line_start_ || base[newline - 1] != '\r') return fail(400, "line not terminated by CRLF");
    std::size_t line_length = newline - 1 - line_start_;
    if (!request_line_seen_) {
      if (line_length == 0) {  // an empty line before the request line
        if (scanned_ > max_leading_empty_lines * 2) return fail(400, "too many empty lines before the request");
        line_start_ = request_start_ = scanned_;
        continue;
      }
      if (line_length > limits_.max_request_line_bytes) return fail(414, "request line too long");
      request_line_seen_ = true;
    } else if (line_length == 0) {
      head_length_ = scanned_;
      if (head_length_ - request_start_ > limits_.max_header_bytes) return fail(431, "request header too large");
      return parse_head(data.substr(request_start_, head_length_ - request_start_), request);
    }
    line_start_ = scanned_;
    if (scanned_ - request_start_ > limits_.max_header_bytes) return fail(431, "request header too large");
  }
  if (!request_line_seen_ && data.size() - request_start_ > limits_.max_request_line_bytes) {
    return fail(414, "request line too long");
  }
  if (data.size() - request_start_ > limits_.max_header_bytes) return fail(431, "request header too large");
  return ParseState::need_more;
}

ParseState HeadParser::parse_head(std::string_view head, Request& request) {
  request.clear();
  std::size_t line_end = head.find("\r\n");
  if (!parse_request_line(head.substr(0, line_end), request)) return ParseState::error;
  head.remove_prefix(line_end + 2);
  while (head.size() > 2) {  // the last two bytes are the blank line
    line_end = head.find("\r\n");
    if (!parse_header_line(head.substr(0, line_end), request)) return ParseState::error;
    head.remove_prefix(line_end + 2);
  }
  if (!apply_framing(request)) return ParseState::error;
  if (request.method == Method::unsupported) return fail(501, "method not implemented");
  return ParseState::complete;
}

bool HeadParser::parse_request_line(std::string_view line, Request& request) {
  std::size_t first_space = line.find(' ');
  std::size_t second_space = first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return fail(400, "malformed request line"), false;
  request.method_text = line.substr(0, first_space);
  request.target = line.substr(first_space + 1, second_space - first_space - 1);
  std::string_view version = line.substr(second_space + 1);
  if (!is_token(request.method_text)) return fail(400, "malformed method"), false;
  if (request.target.empty()) return fail(400, "empty request target"), false;
  for (char c : request.target) {
    if (!is_target_char(c)) return fail(400, "invalid character in request target"), false;
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return fail(400, "malformed HTTP version"), false;
  }
  if (version[5] != '1') return fail(505, "HTTP version not supported"), false;
  request.version_minor = version[7] - '0';
  request.keep_alive = request.version_minor >= 1;
  request.method = parse_method(request.method_text);

  std::string_view target = request.target;
  if (target.front() != '/') {
    if (target == "*" && request.method == Method::options) {
      request.path = target;
      return true;
    }
    // absolute-form (RFC 9112 §3.2.2): keep only path and query
    std::size_t scheme_end = target.find("://");
    if (scheme_end == std::string_view::npos) return fail(400, "malformed request target"), false;
    std::size_t path_start = target.find('/', scheme_end + 3);
    target = path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
  }
  std::size_t question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  return true;
}

bool HeadParser::parse_header_line(std::string_view line, Request& request) {
  if (line.front() == ' ' || line.front() == '\t') return fail(400, "obsolete line folding"), false;
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return fail(400, "header line without a colon"), false;
  std::string_view name = line.substr(0, colon);
  std::string_view value = trim_whitespace(line.substr(colon + 1));
  if (!is_token(name)) return fail(400, "malformed header name"), false;
  if (!is_field_value(value)) return fail(400, "invalid character in header value"), false;
  if (request.headers.size() >= limits_.max_header_count) return fail(431, "too many header fields"), false;
  request.headers.push_back(Header{name, value});

  if (iequals(name, "content-length")) {
    std::uint64_t length = 0;
    if (++content_length_count_ > 1) return fail(400, "more than one Content-Length"), false;
    if (!parse_decimal(value, length)) return fail(400, "malformed Content-Length"), false;
    request.content_length = length;
  } else if (iequals(name, "transfer-encoding")) {
    transfer_encoding_seen_ = true;
    for_each_list_element(value, [&](std::string_view coding) {
      if (chunked_last_) other_coding_seen_ = true;  // something after chunked: not final
      chunked_last_ = iequals(coding, "chunked");
      if (!chunked_last_) other_coding_seen_ = true;
    });
  } else if (iequals(name, "host")) {
    ++host_count_;
  } else if (iequals(name, "connection")) {
    for_each_list_element(value, [&](std::string_view option) {
      if (iequals(option, "close")) request.keep_alive = false;
      if (iequals(option, "keep-alive") && request.version_minor == 0) request.keep_alive = true;
    });
  } else if (iequals(name, "expect")) {
    if (!iequals(value, "100-continue")) return fail(417, "unsupported expectation"), false;
    request.expect_continue = true;
  }
  return true;
}

bool HeadParser::apply_framing(Request& request) {
  // A request with both framings is the classic smuggling vector (RFC 9112 §6.3): refuse it.
  if (transfer_encoding_seen_) {
    if (content_length_count_ > 0) return fail(400, "both Content-Length and Transfer-Encoding"), false;
    if (request.version_minor == 0) return fail(400, "Transfer-Encoding in an HTTP/1.0 request"), false;
    if (!chunked_last_) return fail(400, "chunked is not the final transfer coding"), false;
    if (other_coding_seen_) return fail(501, "transfer coding not implemented"), false;
    request.chunked = true;
  }
  if (request.version_minor >= 1 && host_count_ != 1) {
    return fail(400, host_count_ == 0 ? "missing Host header" : "more than one Host header"), false;
  }
  if (request.content_length && *request.content_length > limits_.max_body_bytes) {
    return fail(413, "request body too large"), false;
  }
  return true;
}

ParseState ChunkedDecoder::fail(int status, std::string_view detail) {
  error_ = ParseError{status, detail};
  return ParseState::error;
}

void ChunkedDecoder::reset() {
  step_ = Step::size;
  chunk_remaining_ = 0;
  size_digits_ = 0;
  line_bytes_ = trailer_bytes_ = decoded_ = 0;
  saw_cr_ = false;
  error_ = {};
}

ParseState ChunkedDecoder::decode(char* region, std::size_t& region_size) {
  std::size_t read = decoded_;
  while (read < region_size && step_ != Step::done) {
    if (step_ == Step::data) {
      std::size_t take = static_cast<std::size_t>(
          std::min<std::uint64_t>(chunk_remaining_, static_cast<std::uint64_t>(region_size - read)));
      if (decoded_ + take > limits_.max_body_bytes) return fail(413, "request body too large");
      std::memmove(region + decoded_, region + read, take);
      decoded_ += take;
      read += take;
      chunk_remaining_ -= take;
      if (chunk_remaining_ == 0) step_ = Step::data_cr;
      continue;
    }
    if (!step_byte(region[read++])) return ParseState::error;
  }
  // Move what was not decoded (a partial chunk line, or the next pipelined request) down.
  std::size_t remaining = region_size - read;
  std::memmove(region + decoded_, region + read, remaining);
  region_size = decoded_ + remaining;
  return step_ == Step::done ? ParseState::complete : ParseState::need_more;
}

bool ChunkedDecoder::step_byte(char c) {
  switch (step_) {
    case Step::size: {
      int digit = hex_digit(c);
      if (digit >= 0) {
        if (++size_digits_ > 15) return fail(413, "chunk size too large"), false;
        chunk_remaining_ = chunk_remaining_ * 16 + static_cast<std::uint64_t>(digit);
        return true;
      }
      bool extension_start = c == ';' || c == ' ' || c == '\t' || c == '\r';
      if (size_digits_ == 0 || !extension_start) return fail(400, "malformed chunk size"), false;
      step_ = Step::extension;
      line_bytes_ = static_cast<std::size_t>(size_digits_);
      [[fallthrough]];
    }
    case Step::extension:
      if (++line_bytes_ > max_chunk_line_bytes) return fail(400, "chunk extension too long"), false;
      if (c == '\r') {
        step_ = Step::size_line_end;
      } else if (c == '\n') {
        return fail(400, "chunk line not terminated by CRLF"), false;
      }
      return true;
    case Step::size_line_end:
      if (c != '\n') return fail(400, "chunk line not terminated by CRLF"), false;
      size_digits_ = 0;
      if (chunk_remaining_ == 0) {
        step_ = Step::trailer_line;
        line_bytes_ = 0;
        saw_cr_ = false;
      } else if (decoded_ + chunk_remaining_ > limits_.max_body_bytes) {
        return fail(413, "request body too large"), false;
      } else {
        step_ = Step::data;
      }
      return true;
    case Step::data_cr:
      if (c != '\r') return fail(400, "chunk data not followed by CRLF"), false;
      step_ = Step::data_lf;
      return true;
    case Step::data_lf:
      if (c != '\n') return fail(400, "chunk data not followed by CRLF"), false;
      step_ = Step::size;
      return true;
    case Step::trailer_line:
      if (++trailer_bytes_ > limits_.max_header_bytes) return fail(431, "chunked trailer too large"), false;
      if (c == '\n') {
        if (!saw_cr_) return fail(400, "trailer line not terminated by CRLF"), false;
        if (line_bytes_ == 1) step_ = Step::done;  // only the CR: the empty line that ends the message
        line_bytes_ = 0;
        saw_cr_ = false;
        return true;
      }
      if (saw_cr_) return fail(400, "bare CR in trailer"), false;
      saw_cr_ = c == '\r';
      ++line_bytes_;
      return true;
    case Step::data:
    case Step::done:
      return true;
  }
  return true;
}

}  // namespace tachyon::http
