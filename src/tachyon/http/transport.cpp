#include "tachyon/http/transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <new>

#include "tachyon/http/tls_bio.hpp"
#include "tachyon/tls/server_context.hpp"

namespace tachyon::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t min_read_space = 2048;

// The first queued OpenSSL error as text (a protocol version, a cipher mismatch, a bad record), for logs.
std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "the peer closed the connection";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "TLS error " + std::to_string(code);
}

}  // namespace

Transport::Transport(tcp::socket socket, SSL_CTX* tls, BufferPool& pool)
    : socket_(std::move(socket)), ciphertext_(pool) {
  if (tls == nullptr) return;
  ssl_ = SSL_new(tls);
  if (ssl_ == nullptr) throw std::bad_alloc();
  BIO* bio = new_transport_bio(*this);
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways: the SSL object takes its one reference
  SSL_set_accept_state(ssl_);
}

Transport::~Transport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

bool Transport::tls_wants(int result, boost::system::error_code& error) {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      needs_input_ = true;
      error = asio::error::would_block;
      return true;
    case SSL_ERROR_WANT_WRITE:
      needs_input_ = false;
      error = asio::error::would_block;
      return true;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      error = asio::error::eof;
      return false;
    default:  // a reset, a truncated or bad record: the connection is over
      if (ciphertext_ended_) {
        error = asio::error::eof;
      } else {
        error = asio::error::connection_aborted;
      }
      ERR_clear_error();
      return false;
  }
}

asio::awaitable<bool> Transport::handshake(std::string& failure) {
  if (ssl_ == nullptr) co_return true;
  for (;;) {
    ERR_clear_error();
    int result = SSL_do_handshake(ssl_);
    if (result == 1) co_return true;
    int reason = SSL_get_error(ssl_, result);
    boost::system::error_code error;
    if (reason == SSL_ERROR_WANT_READ) {
      auto [read_error, received] = co_await socket_.async_read_some(ciphertext_space(), use_tuple);
      ciphertext_received(received, read_error);
      error = read_error;
    } else if (reason == SSL_ERROR_WANT_WRITE) {
      auto [wait_error] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple);
      error = wait_error;
    } else {
      plain_http_ = ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
      failure = openssl_reason();
      co_return false;
    }
    if (error == asio::error::operation_aborted) {
      failure = "the handshake did not complete in time";
      co_return false;
    }
    // At eof the next SSL_do_handshake still reads what came before it, then fails for want of more.
    if (error && error != asio::error::eof) {
      failure = "the connection failed during the handshake";
      co_return false;
    }
  }
}

// One coroutine frame per read, the asynchronous read awaited in it directly: each nested coroutine
// costs about 200 instructions (callgrind), a tenth of what the whole read path costs.
asio::awaitable<boost::system::error_code> Transport::read(ByteBuffer& into) {
  if (into.empty()) into.release();
  if (ssl_ == nullptr) {
    const bool landing = !into.holds_memory();  // between requests; else a message is in progress
    if (!landing) into.ensure_writable(min_read_space);
    auto [error, received] = co_await socket_.async_read_some(
        landing ? asio::buffer(landing_) : asio::buffer(into.write_position(), into.writable()), use_tuple);
    if (landing && received > 0) {
      into.ensure_writable(std::max(received, min_read_space));
      std::memcpy(into.write_position(), landing_.data(), received);
    }
    into.commit(received);
    co_return error;
  }
  for (;;) {
    // Decrypt when there is something to decrypt: staged ciphertext, or a record OpenSSL holds.
    if (landing_begin_ != landing_end_ || !ciphertext_.empty() || SSL_has_pending(ssl_) == 1) {
      into.ensure_writable(min_read_space);
      std::size_t received = 0;
      ERR_clear_error();
      int ok = SSL_read_ex(ssl_, into.write_position(), into.writable(), &received);
      if (ok == 1) {
        into.commit(received);
        co_return boost::system::error_code();
      }
      boost::system::error_code error;
      if (!tls_wants(ok, error)) co_return error;
      if (into.empty()) into.release();
      if (!needs_input_) {  // a read that must write first
        auto [wait_error] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple);
        if (wait_error) co_return wait_error;
        continue;
      }
    }
    if (ciphertext_ended_) co_return asio::error::eof;
    auto [error, received] = co_await socket_.async_read_some(ciphertext_space(), use_tuple);
    ciphertext_received(received, error);
    if (error && error != asio::error::eof) co_return error;  // at eof, OpenSSL still sees what came before
  }
}

asio::mutable_buffer Transport::ciphertext_space() {
  // Between records the read lands in the landing area; inside a record (OpenSSL holds its start) or
  // with landed bytes OpenSSL has not taken yet, in a pool block that a whole 16 KB record fits.
  receiving_into_landing_ = SSL_has_pending(ssl_) != 1 && landing_begin_ == landing_end_ && ciphertext_.empty();
  if (receiving_into_landing_) {
    landing_begin_ = landing_end_ = 0;
    return asio::buffer(landing_);
  }
  if (landing_begin_ != landing_end_) {
    ciphertext_.append(std::string_view(landing_.data() + landing_begin_, landing_end_ - landing_begin_));
    landing_begin_ = landing_end_ = 0;
  }
  ciphertext_.ensure_writable(min_read_space);
  return asio::buffer(ciphertext_.write_position(), ciphertext_.writable());
}

void Transport::ciphertext_received(std::size_t received, const boost::system::error_code& error) {
  if (receiving_into_landing_) {
    landing_end_ = received;
  } else {
    ciphertext_.commit(received);
  }
  if (error == asio::error::eof) ciphertext_ended_ = true;
}

std::size_t Transport::take_ciphertext(char* data, std::size_t size) {
  std::size_t taken = std::min(size, landing_end_ - landing_begin_);
  std::memcpy(data, landing_.data() + landing_begin_, taken);
  landing_begin_ += taken;
  std::size_t from_block = std::min(size - taken, ciphertext_.size());
  if (from_block > 0) {
    std::memcpy(data + taken, ciphertext_.data(), from_block);
    ciphertext_.consume(from_block);
    if (ciphertext_.empty()) ciphertext_.release();
  }
  return taken + from_block;
}

std::size_t Transport::write_some(const char* data, std::size_t size, boost::system::error_code& error) {
  if (ssl_ == nullptr) {
    return socket_.write_some(asio::buffer(data, size), error);
  }
  std::size_t written = 0;
  ERR_clear_error();
  int ok = SSL_write_ex(ssl_, data, size, &written);
  if (ok == 1) {
    error = {};
    return written;
  }
  tls_wants(ok, error);
  return 0;
}

asio::awaitable<boost::system::error_code> Transport::wait_to_write() {
  if (ssl_ != nullptr && needs_input_) {
    auto [error, received] = co_await socket_.async_read_some(ciphertext_space(), use_tuple);
    ciphertext_received(received, error);
    co_return error;
  }
  auto [error] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple);
  co_return error;
}

void Transport::shutdown_send() {
  if (ssl_ != nullptr && SSL_is_init_finished(ssl_)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // queues and tries to send close_notify; not waiting for the peer's
  }
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

std::string Transport::verified_client_name() const {
  return ssl_ != nullptr ? tls::verified_client_name(ssl_) : std::string();
}

void Transport::cancel() {
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

}  // namespace tachyon::http
