#include "tachyon/http/response.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>

#include "tachyon/http/date_cache.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/json/status.hpp"

namespace tachyon::http {

namespace {

// A plain loop: std::string_view::find_first_of calls memchr over the set once per byte of text.
bool is_safe_header_text(std::string_view text) {
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

struct StatusLines {
  std::array<std::string, 600> lines;
  StatusLines() {
    for (int status = 100; status < 600; ++status) {
      lines[status] = "HTTP/1.1 " + std::to_string(status) + " " + std::string(json::reason_phrase(status)) + "\r\n";
    }
  }
};

const StatusLines& status_lines() {
  static const StatusLines table;
  return table;
}

bool status_has_body(int status) {
  return !(status < 200 || status == 204 || status == 304);
}

}  // namespace

std::string_view status_line(int status) {
  if (status < 100 || status > 599) status = 500;
  return status_lines().lines[status];
}

namespace {

// Appends "name: value\r\n" to `lines` after checking neither could split the response.
void append_header_line(std::string& lines, std::string_view name, std::string_view value) {
  if (name.empty() || !is_safe_header_text(name) || !is_safe_header_text(value) ||
      name.find(':') != std::string_view::npos) {
    throw std::invalid_argument("header name or value contains a forbidden character");
  }
  std::size_t offset = lines.size();
  lines.resize(offset + name.size() + value.size() + 4);
  char* cursor = lines.data() + offset;
  std::memcpy(cursor, name.data(), name.size());
  cursor += name.size();
  std::memcpy(cursor, ": ", 2);
  std::memcpy(cursor + 2, value.data(), value.size());
  std::memcpy(cursor + 2 + value.size(), "\r\n", 2);
}

}  // namespace

HeaderLines& HeaderLines::add(std::string_view name, std::string_view value) {
  append_header_line(lines_, name, value);
  return *this;
}

void Response::add_header(std::string_view name, std::string_view value) {
  append_header_line(headers_, name, value);
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  std::string_view rest = headers_;
  while (!rest.empty()) {
    std::size_t line_end = rest.find("\r\n");
    std::string_view line = rest.substr(0, line_end);
    std::size_t colon = line.find(':');
    if (iequals(line.substr(0, colon), name)) return line.substr(colon + 2);
    rest.remove_prefix(line_end + 2);
  }
  return std::nullopt;
}

void Response::remove_header(std::string_view name) {
  std::size_t offset = 0;
  while (offset < headers_.size()) {
    std::size_t line_end = headers_.find("\r\n", offset);
    std::string_view line = std::string_view(headers_).substr(offset, line_end - offset);
    if (iequals(line.substr(0, line.find(':')), name)) {
      headers_.erase(offset, line_end + 2 - offset);
      return;
    }
    offset = line_end + 2;
  }
}

void Response::set_header(std::string_view name, std::string_view value) {
  remove_header(name);
  add_header(name, value);
}

void add_vary(Response& response, std::string_view field) {
  if (std::optional<std::string_view> vary = response.header("Vary")) {
    std::string joined(*vary);
    joined.append(", ").append(field);
    response.set_header("Vary", joined);
  } else {
    response.add_header("Vary", field);
  }
}

void Response::set_text(int status_code, std::string_view text, std::string_view type) {
  status = status_code;
  body.assign(text);
  content_type_.assign(type);
}

void Response::set_json(int status_code, std::string_view json) {
  set_text(status_code, json, "application/json");
}

void Response::reset() {
  status = 200;
  body.clear();
  stream = nullptr;
  close_connection = false;
  content_type_.clear();
  headers_.clear();
}

void render_response(const Response& response, ByteBuffer& out, std::string_view server_field, bool send_body,
                     bool keep_alive, Framing framing) {
  const bool has_body = status_has_body(response.status);
  std::string_view date = current_http_date();
  std::string_view headers = response.header_block();
  std::size_t estimate =
      256 + server_field.size() + response.content_type().size() + headers.size() + response.body.size();
  out.ensure_writable(estimate);

  char* start = out.write_position();
  char* cursor = start;
  auto put = [&cursor](std::string_view text) {
    std::memcpy(cursor, text.data(), text.size());
    cursor += text.size();
  };
  put(status_line(response.status));
  put(server_field);
  put("Date: ");
  put(date);
  put("\r\n");
  if (has_body) {
    if (!response.content_type().empty()) {
      put("Content-Type: ");
      put(response.content_type());
      put("\r\n");
    }
    if (framing == Framing::chunked) {
      put("Transfer-Encoding: chunked\r\n");
    } else if (framing == Framing::content_length) {
      put("Content-Length: ");
      char digits[24];
      auto [end, error] = std::to_chars(digits, digits + sizeof digits, response.body.size());
      (void)error;
      put(std::string_view(digits, static_cast<std::size_t>(end - digits)));
      put("\r\n");
    }
  }
  put(headers);
  if (!keep_alive) put("Connection: close\r\n");
  put("\r\n");
  if (has_body && send_body && framing == Framing::content_length) put(response.body);
  out.commit(static_cast<std::size_t>(cursor - start));
}

}  // namespace tachyon::http
