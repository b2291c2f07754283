// The response a handler builds: status, extra header fields and a body string it appends to directly.
// render_response() writes it straight into the connection's output buffer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tachyon/http/buffer.hpp"

namespace tachyon::http {

class Response {
 public:
  int status = 200;
  std::string body;
  bool close_connection = false;  // ask the connection to close after this response

  void set_content_type(std::string_view content_type) { content_type_.assign(content_type); }
  std::string_view content_type() const { return content_type_; }

  // Appends a header field. Throws std::invalid_argument on a name or value that could split the
  // response (CR, LF or NUL), so a handler bug cannot become header injection.
  void add_header(std::string_view name, std::string_view value);
  std::optional<std::string_view> header(std::string_view name) const;
  std::string_view header_block() const { return headers_; }

  // Convenience for the common cases.
  void set_text(int status_code, std::string_view text, std::string_view type = "text/plain; charset=utf-8");
  void set_json(int status_code, std::string_view json);

  void reset();

 private:
  std::string content_type_;
  std::string headers_;  // "Name: value\r\n" lines, ready to copy
};

// Writes status line, Server, Date, Content-Type, Content-Length, the extra headers and (unless
// `send_body` is false, as for HEAD) the body into `out`.
void render_response(const Response& response, ByteBuffer& out, bool send_body, bool keep_alive);

// "HTTP/1.1 404 Not Found\r\n" for any status 100..599.
std::string_view status_line(int status);

}  // namespace tachyon::http
