// The response a handler builds: status, extra header fields and a body string it appends to directly,
// or a producer that streams the body while it is sent. render_response() writes it straight into the
// connection's output buffer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "tachyon/http/buffer.hpp"

namespace tachyon::http {

// Where a streamed body goes: the connection frames each piece as a chunk and writes it out once a batch
// has gathered; write() waits while the client reads slower than the producer writes.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Queues `data` as the next part of the body; false once the client is gone (stop producing).
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
};

// Produces a body piece by piece. It runs after the middleware chain has returned, so it owns (captures
// by value) everything it uses. An exception ends the response without its last chunk: the client sees
// a truncated body as an error, never as a complete one.
using BodyProducer = std::function<boost::asio::awaitable<void>(BodyWriter& writer)>;

// Header fields checked and rendered once, for the fields every answer of a kind carries (security
// headers): adding them to a response is one append.
class HeaderLines {
 public:
  // Throws std::invalid_argument as Response::add_header does.
  HeaderLines& add(std::string_view name, std::string_view value);
  std::string_view text() const { return lines_; }

 private:
  std::string lines_;
};

class Response {
 public:
  int status = 200;
  std::string body;
  BodyProducer stream;            // set: the body is streamed (chunked) instead of `body`
  bool close_connection = false;  // ask the connection to close after this response

  void set_content_type(std::string_view content_type) { content_type_.assign(content_type); }
  std::string_view content_type() const { return content_type_; }

  // Appends a header field. Throws std::invalid_argument on a name or value that could split the
  // response (CR, LF or NUL), so a handler bug cannot become header injection.
  void add_header(std::string_view name, std::string_view value);
  void add_headers(const HeaderLines& lines) { headers_.append(lines.text()); }
  std::optional<std::string_view> header(std::string_view name) const;
  // Replaces the value of the header field `name` (the first of that name), or appends it.
  void set_header(std::string_view name, std::string_view value);
  void remove_header(std::string_view name);
  std::string_view header_block() const { return headers_; }

  // Convenience for the common cases.
  void set_text(int status_code, std::string_view text, std::string_view type = "text/plain; charset=utf-8");
  void set_json(int status_code, std::string_view json);

  void reset();

 private:
  std::string content_type_;
  std::string headers_;  // "Name: value\r\n" lines, ready to copy
};

// How the body is framed. A streamed body is chunked for HTTP/1.1 clients and ends with the connection
// for HTTP/1.0 ones (which cannot read chunks).
// Adds `field` to the response's Vary (one field line, comma-joined with what is there).
void add_vary(Response& response, std::string_view field);

enum class Framing : std::uint8_t { content_length, chunked, until_close };

// Writes status line, `server_field` (a whole `Server: name\r\n` line, or empty for none), Date,
// Content-Type, Content-Length (or Transfer-Encoding: chunked), the extra headers and (unless `send_body`
// is false, as for HEAD) the body into `out`. A streamed body is not written here: the connection runs
// its producer next.
void render_response(const Response& response, ByteBuffer& out, std::string_view server_field, bool send_body,
                     bool keep_alive, Framing framing = Framing::content_length);

// "HTTP/1.1 404 Not Found\r\n" for any status 100..599.
std::string_view status_line(int status);

}  // namespace tachyon::http
