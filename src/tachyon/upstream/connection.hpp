// Internal to upstream/: one connection to an upstream (TCP, with TLS over it for https), the deadline
// that closes it, and the coroutine that opens it (resolve, connect, handshake).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "tachyon/upstream/http_client.hpp"

namespace tachyon::upstream {

// The client's TLS settings: TLS 1.2 or later, peer verification against ca_file or the system store.
class TlsContext {
 public:
  // Throws UpstreamError(tls_error) when the CA bundle cannot be loaded.
  explicit TlsContext(const ClientOptions& options);
  boost::asio::ssl::context& context() { return context_; }
  bool verify() const { return verify_; }

 private:
  boost::asio::ssl::context context_;
  bool verify_;
};

struct Connection {
  explicit Connection(const boost::asio::any_io_executor& executor) : socket(executor), timer(executor) {}

  boost::asio::ip::tcp::socket socket;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls;  // https only
  boost::asio::steady_timer timer;
  std::optional<boost::asio::ip::tcp::resolver> resolver;  // while resolving
  std::uint64_t deadline_generation = 0;
  bool timed_out = false;
  std::string key;    // scheme://host:port, the pool it belongs to
  std::string input;  // bytes received and not yet parsed
  std::chrono::steady_clock::time_point idle_since;

  // False when the upstream has closed the idle connection (or sent bytes nobody asked for).
  bool still_usable() const;
};

// When the deadline passes, the socket is closed (which aborts the pending operation) and timed_out is
// set. disarm makes a firing that is already queued harmless.
void arm_deadline(const std::shared_ptr<Connection>& connection, std::chrono::milliseconds after);
void disarm_deadline(Connection& connection);

using TransferResult = std::tuple<boost::system::error_code, std::size_t>;
boost::asio::awaitable<TransferResult> write_all(Connection& connection, boost::asio::const_buffer bytes);
boost::asio::awaitable<TransferResult> read_some(Connection& connection, boost::asio::mutable_buffer bytes);

struct Opened {
  std::shared_ptr<Connection> connection;  // null on failure
  FailureKind failure = FailureKind::connect_failed;
  std::string reason;
};

// Resolves (unless the host is numeric), connects to the first address that answers, and for https
// handshakes with SNI and host name verification, all within options.connect_timeout.
boost::asio::awaitable<Opened> open_connection(const boost::asio::any_io_executor& executor, const Url& base,
                                               const ClientOptions& options, TlsContext* tls);

// "https://example.com:443": the key of a connection pool.
std::string pool_key(const Url& base);

}  // namespace tachyon::upstream
