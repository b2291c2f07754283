#include "tachyon/http/transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <new>

#include "tachyon/tls/server_context.hpp"

namespace tachyon::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The first queued OpenSSL error as text (a protocol version, a cipher mismatch, a bad record), for logs.
std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "the peer closed the connection";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "TLS error " + std::to_string(code);
}

}  // namespace

Transport::Transport(tcp::socket socket, SSL_CTX* tls) : socket_(std::move(socket)) {
  if (tls == nullptr) return;
  ssl_ = SSL_new(tls);
  if (ssl_ == nullptr) throw std::bad_alloc();
  SSL_set_fd(ssl_, socket_.native_handle());
  SSL_set_accept_state(ssl_);
}

Transport::~Transport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

asio::awaitable<bool> Transport::handshake(std::string& failure) {
  if (ssl_ == nullptr) co_return true;
  for (;;) {
    ERR_clear_error();
    int result = SSL_do_handshake(ssl_);
    if (result == 1) co_return true;
    int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ) {
      wanted_ = tcp::socket::wait_read;
    } else if (error == SSL_ERROR_WANT_WRITE) {
      wanted_ = tcp::socket::wait_write;
    } else {
      plain_http_ = ERR_GET_REASON(ERR_peek_error()) == SSL_R_HTTP_REQUEST;
      failure = openssl_reason();
      co_return false;
    }
    auto [wait_error] = co_await socket_.async_wait(wanted_, use_tuple);
    if (wait_error) {
      failure = "the handshake did not complete in time";
      co_return false;
    }
  }
}

std::size_t Transport::tls_result(int ok, std::size_t moved, boost::system::error_code& error) {
  if (ok == 1) {
    error = {};
    return moved;
  }
  switch (SSL_get_error(ssl_, ok)) {
    case SSL_ERROR_WANT_READ:
      wanted_ = tcp::socket::wait_read;
      error = asio::error::would_block;
      break;
    case SSL_ERROR_WANT_WRITE:
      wanted_ = tcp::socket::wait_write;
      error = asio::error::would_block;
      break;
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      error = asio::error::eof;
      break;
    default:  // a reset, a truncated or bad record: the connection is over
      ERR_clear_error();
      error = asio::error::connection_aborted;
      break;
  }
  return 0;
}

std::size_t Transport::read_some(char* data, std::size_t size, boost::system::error_code& error) {
  if (ssl_ == nullptr) {
    std::size_t received = socket_.read_some(asio::buffer(data, size), error);
    if (error == asio::error::would_block) wanted_ = tcp::socket::wait_read;
    return received;
  }
  std::size_t received = 0;
  ERR_clear_error();
  int ok = SSL_read_ex(ssl_, data, size, &received);  // before tls_result reads `received`
  return tls_result(ok, received, error);
}

std::size_t Transport::write_some(const char* data, std::size_t size, boost::system::error_code& error) {
  if (ssl_ == nullptr) {
    std::size_t written = socket_.write_some(asio::buffer(data, size), error);
    if (error == asio::error::would_block) wanted_ = tcp::socket::wait_write;
    return written;
  }
  std::size_t written = 0;
  ERR_clear_error();
  int ok = SSL_write_ex(ssl_, data, size, &written);
  return tls_result(ok, written, error);
}

asio::awaitable<boost::system::error_code> Transport::wait() {
  auto [error] = co_await socket_.async_wait(wanted_, use_tuple);
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
