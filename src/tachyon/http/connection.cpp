#include "tachyon/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "tachyon/http/context.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/standard_middleware.hpp"
#include "tachyon/http/worker.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t flush_threshold = 64 * 1024;  // a long pipelined batch is written in pieces
constexpr std::size_t max_linger_bytes = 1024 * 1024;
constexpr std::chrono::milliseconds linger_timeout{2000};
constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view plain_http_on_tls_port =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 54\r\n"
    "Connection: close\r\n\r\nThis port speaks HTTPS: send the request with https://";
}  // namespace

Connection::Connection(Worker& worker, tcp::socket socket, SSL_CTX* tls)
    : worker_(worker),
      transport_(std::move(socket), tls, worker.buffers()),
      input_(worker.buffers()),
      output_(worker.buffers()),
      head_parser_(worker.options().limits),
      chunked_decoder_(worker.options().limits) {
  boost::system::error_code error;
  tcp::socket& accepted = transport_.socket();
  accepted.non_blocking(true, error);
  accepted.set_option(tcp::no_delay(true), error);
  auto remote = accepted.remote_endpoint(error);
  if (!error) client_address_ = remote.address().to_string();
  worker_.add(*this);
}

Connection::~Connection() {
  worker_.remove(*this);
}

void Connection::enter(Phase phase, std::chrono::milliseconds timeout) {
  phase_ = phase;
  deadline_ = worker_.coarse_now() + timeout;
}

void Connection::expire() {
  timed_out_ = true;
  transport_.cancel();
}

asio::awaitable<void> Connection::serve() {
  const ServerOptions& options = worker_.options();
  if (transport_.secure()) {
    // The handshake is the first thing a client sends: it runs on the header clock, so a stalled one
    // is cut like a stalled request head.
    enter(Phase::reading_head, options.header_timeout);
    std::string failure;
    if (!co_await transport_.handshake(failure)) {
      // As nginx does: a plain request on the HTTPS port gets a plain 400 saying so, then the close.
      if (transport_.plain_http_request()) {
        boost::system::error_code ignored;
        transport_.socket().write_some(asio::buffer(plain_http_on_tls_port), ignored);
        transport_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      }
      observe::log_event(observe::LogLevel::debug, "TLS handshake failed",
                         {{"client_ip", std::string_view(client_address_)}, {"error", std::string_view(failure)}});
      co_return;
    }
    client_certificate_ = transport_.verified_client_name();
  }
  enter(Phase::idle, options.idle_timeout);
  for (;;) {
    ParseState state = head_parser_.parse(input_.view(), request_);
    if (state == ParseState::need_more) {
      Phase waiting = input_.empty() ? Phase::idle : Phase::reading_head;
      if (waiting == Phase::idle && worker_.draining()) break;
      ReadResult read = co_await read_more(waiting);
      if (read != ReadResult::data) break;  // idle or header timeout: close without a response
      continue;
    }
    if (state == ParseState::error) {
      co_await send_error_and_close(head_parser_.error().status, head_parser_.error().detail);
      co_return;
    }
    if (!co_await read_body()) co_return;
    co_await handle_request();
    ++requests_served_;
    bool keep_alive =
        request_.keep_alive && !response_.close_connection && !worker_.draining() &&
        (options.max_requests_per_connection == 0 || requests_served_ < options.max_requests_per_connection);
    Framing framing = Framing::content_length;
    if (response_.stream) {
      framing = request_.version_minor == 0 ? Framing::until_close : Framing::chunked;
      if (framing == Framing::until_close) keep_alive = false;
    }
    const bool send_body = request_.method != Method::head;
    render_response(response_, output_, worker_.server_field(), send_body, keep_alive, framing);
    if (response_.stream && send_body && !co_await stream_body(framing)) co_return;
    input_.consume(message_length_);
    head_parser_.reset();
    chunked_decoder_.reset();
    if (!keep_alive) break;
    if (output_.size() >= flush_threshold && !co_await flush_output()) co_return;
  }
  if (co_await flush_output()) {
    transport_.shutdown_send();
    if (!input_.empty() || phase_ == Phase::reading_body) co_await linger_and_close();
  }
}

asio::awaitable<Connection::ReadResult> Connection::read_more(Phase phase) {
  if (!co_await flush_output()) co_return ReadResult::closed;
  if (phase != phase_) enter(phase, timeout_for(phase));  // a phase's clock starts when it is entered
  boost::system::error_code error = co_await transport_.read(input_);
  if (timed_out_) co_return ReadResult::timed_out;
  if (error) co_return ReadResult::closed;
  // The first byte of a new request starts the header clock.
  if (phase_ == Phase::idle) enter(Phase::reading_head, timeout_for(Phase::reading_head));
  co_return ReadResult::data;
}

std::chrono::milliseconds Connection::timeout_for(Phase phase) const {
  const ServerOptions& options = worker_.options();
  switch (phase) {
    case Phase::idle:
      return options.idle_timeout;
    case Phase::reading_body:
      return options.body_timeout;
    case Phase::lingering:
      return linger_timeout;
    case Phase::writing:
      return options.idle_timeout;
    default:
      return options.header_timeout;
  }
}

asio::awaitable<bool> Connection::flush_output() {
  if (output_.empty()) co_return true;
  // Try the write straight away: it nearly always completes, and skips a trip through the reactor.
  Phase previous = phase_;
  for (;;) {
    boost::system::error_code error;
    std::size_t written = transport_.write_some(output_.data(), output_.size(), error);
    if (error && error != asio::error::would_block) co_return false;
    output_.consume(written);
    if (output_.empty()) break;
    if (!error) continue;  // a partial write (TLS writes a record at a time): write the rest now
    if (phase_ != Phase::writing) enter(Phase::writing, timeout_for(Phase::writing));
    boost::system::error_code wait_error = co_await transport_.wait_to_write();
    if (wait_error || timed_out_) co_return false;
  }
  phase_ = previous;
  output_.release();
  co_return true;
}

bool Connection::reparse_head_if_moved(const char* head_start) {
  if (input_.data() == head_start) return true;
  head_parser_.reset();
  return head_parser_.parse(input_.view(), request_) == ParseState::complete;
}

asio::awaitable<bool> Connection::read_body() {
  const std::size_t head_length = head_parser_.head_length();
  message_length_ = head_length;
  bool expects_body = request_.chunked || request_.content_length.value_or(0) > 0;
  if (!expects_body) co_return true;
  const char* head_start = input_.data();
  if (request_.expect_continue) output_.append(continue_response);

  if (!request_.chunked) {
    std::size_t total = head_length + static_cast<std::size_t>(*request_.content_length);
    if (input_.size() < total) input_.ensure_writable(total - input_.size());  // one allocation, no moves later
    while (input_.size() < total) {
      ReadResult read = co_await read_more(Phase::reading_body);
      if (read == ReadResult::timed_out) co_await send_error_and_close(408, "request body not received in time");
      if (read != ReadResult::data) co_return false;
    }
    if (!reparse_head_if_moved(head_start)) co_return false;
    request_.body = input_.view().substr(head_length, total - head_length);
    message_length_ = total;
    co_return true;
  }

  for (;;) {
    std::size_t region_size = input_.size() - head_length;
    ParseState state = chunked_decoder_.decode(input_.data() + head_length, region_size);
    input_.truncate(head_length + region_size);
    if (state == ParseState::complete) break;
    if (state == ParseState::error) {
      co_await send_error_and_close(chunked_decoder_.error().status, chunked_decoder_.error().detail);
      co_return false;
    }
    ReadResult read = co_await read_more(Phase::reading_body);
    if (read == ReadResult::timed_out) co_await send_error_and_close(408, "request body not received in time");
    if (read != ReadResult::data) co_return false;
  }
  if (!reparse_head_if_moved(head_start)) co_return false;
  request_.body = input_.view().substr(head_length, chunked_decoder_.decoded_size());
  message_length_ = head_length + chunked_decoder_.decoded_size();
  co_return true;
}

asio::awaitable<void> Connection::handle_request() {
  response_.reset();
  Context context(request_, response_);
  context.started = std::chrono::steady_clock::now();
  context.client_address = client_address_;
  context.secure = transport_.secure();
  context.client_certificate = client_certificate_;
  context.request_id = std::move(request_id_);  // lend the connection's buffer: no allocation per request
  phase_ = Phase::handling;
  try {
    co_await worker_.pipeline().run(context);
  } catch (const std::exception& error) {
    // The error middleware normally catches first; this keeps a connection alive without it.
    observe::log_error("request failed outside the error middleware", {{"error", std::string_view(error.what())}});
    response_.reset();
    set_problem(context, 500, "the server failed to handle this request");
  }
  request_id_ = std::move(context.request_id);
}

// Frames each piece the producer writes (a chunk, or raw bytes for a body that ends with the
// connection) and writes them out in batches of flush_threshold: the producer waits while the client
// reads slowly, so a stream holds at most one batch in memory.
class Connection::StreamWriter final : public BodyWriter {
 public:
  StreamWriter(Connection& connection, Framing framing) : connection_(connection), framing_(framing) {}

  asio::awaitable<bool> write(std::string_view data) override {
    if (gone_) co_return false;
    if (data.empty()) co_return true;
    ByteBuffer& output = connection_.output_;
    if (framing_ == Framing::chunked) {
      char size[24];
      int length = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
      output.append(std::string_view(size, static_cast<std::size_t>(length)));
      output.append(data);
      output.append("\r\n");
    } else {
      output.append(data);
    }
    if (output.size() >= flush_threshold && !co_await connection_.flush_output()) gone_ = true;
    co_return !gone_;
  }

  bool gone() const { return gone_; }

 private:
  Connection& connection_;
  Framing framing_;
  bool gone_ = false;
};

asio::awaitable<bool> Connection::stream_body(Framing framing) {
  StreamWriter writer(*this, framing);
  try {
    co_await response_.stream(writer);
  } catch (const std::exception& error) {
    // The status line has gone out: all that is left is to end the body without its last chunk.
    observe::log_error("streamed response failed", {{"error", std::string_view(error.what())}});
    co_return false;
  }
  if (writer.gone()) co_return false;
  if (framing == Framing::chunked) output_.append("0\r\n\r\n");
  co_return true;
}

asio::awaitable<void> Connection::send_error_and_close(int status, std::string_view detail) {
  response_.reset();
  Context context(request_, response_);
  context.request_id = new_request_id();
  set_problem(context, status, detail);
  response_.add_header("X-Request-ID", context.request_id);
  response_.add_headers(worker_.options().protocol_error_headers);
  render_response(response_, output_, worker_.server_field(), true, false);
  timed_out_ = false;
  if (!co_await flush_output()) co_return;
  transport_.shutdown_send();
  co_await linger_and_close();
}

// Reads and discards what the client still sends, briefly, so that closing does not reset the
// connection before the client has read our error response (the "lingering close" of RFC 9112 §9.6).
asio::awaitable<void> Connection::linger_and_close() {
  std::size_t discarded = 0;
  while (discarded < max_linger_bytes) {
    input_.clear();
    if (co_await read_more(Phase::lingering) != ReadResult::data) break;
    discarded += input_.size();
  }
  input_.clear();
}

}  // namespace tachyon::http
