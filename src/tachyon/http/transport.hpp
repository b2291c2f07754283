// Internal to http/: the byte stream under one connection, plain TCP or TLS on the same socket. Reads and
// writes are non-blocking calls that either move bytes or say would_block, after which the caller waits
// for the direction the stream needs (TLS may need to write while reading, or read while writing), so
// the connection's reactor-style loop (try first, wait only when nothing is there) is the same for both.
//
// TLS runs OpenSSL directly on the socket's descriptor (no memory BIOs, no extra copy): each read or write
// is one SSL_read_ex/SSL_write_ex, which is what kernel TLS needs too.
#pragma once

#include <openssl/types.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string>

namespace tachyon::http {

class Transport {
 public:
  // `tls`: the listener's SSL_CTX for a TLS connection, null for plain TCP.
  Transport(boost::asio::ip::tcp::socket socket, SSL_CTX* tls);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // TLS: completes the handshake (true) or fails it (false, with the reason in `failure`); plain: true.
  // The caller bounds it with its deadline (cancel() ends the wait).
  boost::asio::awaitable<bool> handshake(std::string& failure);

  // Moves up to `size` bytes; 0 with `error` set: would_block (wait() then try again), eof, or a failure.
  std::size_t read_some(char* data, std::size_t size, boost::system::error_code& error);
  std::size_t write_some(const char* data, std::size_t size, boost::system::error_code& error);
  // Waits until the stream can make progress on what last said would_block.
  boost::asio::awaitable<boost::system::error_code> wait();

  // Ends our sending side: a TLS close_notify, then a TCP half-close.
  void shutdown_send();
  void cancel();  // aborts a pending wait()
  bool secure() const { return ssl_ != nullptr; }
  // After the handshake: the name of the client certificate it verified, empty for none (plain TCP too).
  std::string verified_client_name() const;
  // After a failed handshake: the client sent a plain HTTP request to the TLS port.
  bool plain_http_request() const { return plain_http_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  std::size_t tls_result(int ok, std::size_t moved, boost::system::error_code& error);

  boost::asio::ip::tcp::socket socket_;
  SSL* ssl_ = nullptr;
  boost::asio::ip::tcp::socket::wait_type wanted_ = boost::asio::ip::tcp::socket::wait_read;
  bool plain_http_ = false;
};

}  // namespace tachyon::http
