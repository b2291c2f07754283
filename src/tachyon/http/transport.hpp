// Internal to http/: the byte stream under one connection, plain TCP or TLS on the same socket.
//
// Reads are asynchronous reads (Boost.Asio `async_read_some`), never "wait for readable, then read": the
// reactor then reads in the same wake-up that reports the data, and waiting costs no `epoll_ctl` (Boost
// 1.81 re-arms the descriptor with EPOLL_CTL_MOD for every `async_wait`; a read it can try speculatively
// needs none). A keep-alive request then makes nginx's system calls (the read that finds nothing yet,
// epoll_wait, the read, the write) and no epoll_ctl. Between requests the read lands in a small area inside the
// transport, so an idle connection holds no pool block while it waits.
//
// TLS: OpenSSL reads ciphertext from those reads through a BIO of ours (tls_bio.hpp) and writes straight
// to the descriptor. Kernel TLS would need OpenSSL's own socket BIO; this VM's kernel has no `tls` ULP,
// so it cannot be offered or measured here (BENCHMARKS.md §13).
//
// Writes stay non-blocking calls that move bytes or say would_block, after which the caller waits with
// wait_to_write(): nearly every response goes out in one write without a trip through the reactor.
#pragma once

#include <openssl/types.h>

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "tachyon/http/buffer.hpp"

namespace tachyon::http {

class Transport {
 public:
  // `tls`: the listener's SSL_CTX for a TLS connection, null for plain TCP. `pool`: where ciphertext
  // that does not fit the landing area is staged.
  Transport(boost::asio::ip::tcp::socket socket, SSL_CTX* tls, BufferPool& pool);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // TLS: completes the handshake (true) or fails it (false, with the reason in `failure`); plain: true.
  // The caller bounds it with its deadline (cancel() ends the wait).
  boost::asio::awaitable<bool> handshake(std::string& failure);

  // Appends at least one byte to `into`, waiting as long as it takes; an error is eof, a failure, or
  // operation_aborted after cancel(). An empty `into` is released first (it is refilled from the landing
  // area), so a connection waiting between requests holds no buffer.
  boost::asio::awaitable<boost::system::error_code> read(ByteBuffer& into);

  // Moves up to `size` bytes; 0 with `error` set: would_block (wait_to_write() then try again), or a
  // failure.
  std::size_t write_some(const char* data, std::size_t size, boost::system::error_code& error);
  boost::asio::awaitable<boost::system::error_code> wait_to_write();

  // Ends our sending side: a TLS close_notify, then a TCP half-close.
  void shutdown_send();
  void cancel();  // aborts a pending read or wait
  bool secure() const { return ssl_ != nullptr; }
  // After the handshake: the name of the client certificate it verified, empty for none (plain TCP too).
  std::string verified_client_name() const;
  // After a failed handshake: the client sent a plain HTTP request to the TLS port.
  bool plain_http_request() const { return plain_http_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // For the TLS BIO: ciphertext received and not yet handed to OpenSSL, and taking some of it.
  std::size_t take_ciphertext(char* data, std::size_t size);
  bool ciphertext_ended() const { return ciphertext_ended_; }

 private:
  // TLS: where the next read of ciphertext goes, and staging what it brought for the BIO.
  boost::asio::mutable_buffer ciphertext_space();
  void ciphertext_received(std::size_t received, const boost::system::error_code& error);
  // Which way an SSL call that failed with `result` must wait; false: the connection is over.
  bool tls_wants(int result, boost::system::error_code& error);

  // A request head this size or smaller arrives in one read between requests (wrk's, `tachyon bench`'s,
  // a client's with an API key); a larger one (a JWT, cookies) continues in a pool block, one more read.
  // Every idle connection holds it: 1 KB took 10,000 idle connections from 56 to 68 MiB (BENCHMARKS.md §2).
  static constexpr std::size_t landing_size = 512;

  boost::asio::ip::tcp::socket socket_;
  SSL* ssl_ = nullptr;
  ByteBuffer ciphertext_;  // TLS: staged ciphertext beyond the landing area (a record in progress)
  std::array<char, landing_size> landing_{};
  std::size_t landing_begin_ = 0;
  std::size_t landing_end_ = 0;
  bool receiving_into_landing_ = false;
  bool needs_input_ = false;       // TLS: the last SSL call wants ciphertext in (else: to write out)
  bool ciphertext_ended_ = false;  // TLS: the peer closed its side; the BIO reports end of input
  bool plain_http_ = false;
};

}  // namespace tachyon::http
