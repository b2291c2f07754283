// Incremental HTTP/1.1 response parser for Tachyon's clients (the load generator and the upstream
// client): status line, Content-Length, chunked transfer coding (RFC 9112 sections 4, 6 and 7.1) and close-delimited
// bodies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tachyon::http {

class ResponseParser {
 public:
  enum class Result { need_more, complete, error };

  // Starts a new response. `head_request` means the response has no body (RFC 9110 section 9.3.2).
  // `capture_body` keeps the body bytes (scenario captures); otherwise they are only skipped.
  // `capture_headers` keeps the header fields (the upstream client reads Content-Type and ETag).
  void reset(bool head_request = false, bool capture_body = false, bool capture_headers = false);

  // Consumes a prefix of `data` and says how many bytes it took in `consumed`. Bytes it could not
  // use yet (a partial header block or chunk-size line) are left for the next call with more data.
  Result parse(std::string_view data, std::size_t& consumed);
  // The peer closed the connection: completes a close-delimited body, fails anything else.
  Result finish_on_close();

  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  const std::string& body() const { return body_; }
  std::string take_body() { return std::move(body_); }
  std::uint64_t body_bytes() const { return body_bytes_; }
  // The header fields in arrival order, values trimmed; empty unless `capture_headers`.
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

 private:
  enum class State { head, fixed_body, chunk_size, chunk_data, chunk_data_end, trailers, until_close, done };

  Result parse_head(std::string_view data, std::size_t& consumed);
  void take_body(std::string_view bytes);

  State state_ = State::head;
  bool head_request_ = false;
  bool capture_body_ = false;
  bool capture_headers_ = false;
  int status_ = 0;
  bool keep_alive_ = true;
  std::uint64_t remaining_ = 0;
  std::uint64_t body_bytes_ = 0;
  std::string body_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace tachyon::http
