#include "tachyon/upstream/connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>

namespace tachyon::upstream {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string describe(const Url& base) {
  return base.host + ":" + std::to_string(base.port);
}

// The certificate check's own words ("hostname mismatch", "self-signed certificate") say more than the
// handshake's "certificate verify failed".
std::string tls_failure_reason(asio::ssl::stream<tcp::socket&>& stream, const boost::system::error_code& error) {
  std::string reason = error.message();
  long verify_result = SSL_get_verify_result(stream.native_handle());
  if (verify_result != X509_V_OK) reason += std::string(" (") + X509_verify_cert_error_string(verify_result) + ")";
  return reason;
}

}  // namespace

TlsContext::TlsContext(const ClientOptions& options)
    : context_(asio::ssl::context::tls_client), verify_(options.verify_tls) {
  SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_2_VERSION);
  boost::system::error_code error;
  if (!options.verify_tls) {
    context_.set_verify_mode(asio::ssl::verify_none);
    return;
  }
  context_.set_verify_mode(asio::ssl::verify_peer);
  if (options.ca_file.empty()) {
    context_.set_default_verify_paths(error);
  } else {
    context_.load_verify_file(options.ca_file, error);
  }
  if (error) {
    std::string source = options.ca_file.empty() ? std::string("the system CA store") : options.ca_file;
    throw UpstreamError(FailureKind::tls_error, "cannot load " + source + ": " + error.message());
  }
}

bool Connection::still_usable() const {
  if (!socket.is_open()) return false;
  char byte = 0;
  ssize_t received = ::recv(const_cast<tcp::socket&>(socket).native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (received == 0) return false;  // the upstream closed it
  if (received < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  // Unasked-for bytes on plain HTTP break the next exchange; over TLS they may be a session ticket.
  return tls != nullptr;
}

void arm_deadline(const std::shared_ptr<Connection>& connection, std::chrono::milliseconds after) {
  connection->timed_out = false;
  std::uint64_t generation = ++connection->deadline_generation;
  connection->timer.expires_after(after);
  connection->timer.async_wait(
      [weak = std::weak_ptr<Connection>(connection), generation](const boost::system::error_code& error) {
        std::shared_ptr<Connection> owner = weak.lock();
        if (error || !owner || owner->deadline_generation != generation) return;
        owner->timed_out = true;
        boost::system::error_code ignored;
        if (owner->resolver) owner->resolver->cancel();
        owner->socket.close(ignored);
      });
}

void disarm_deadline(Connection& connection) {
  ++connection.deadline_generation;
  connection.timer.cancel();
}

asio::awaitable<TransferResult> write_all(Connection& connection, asio::const_buffer bytes) {
  if (connection.tls) co_return co_await asio::async_write(*connection.tls, bytes, use_tuple);
  co_return co_await asio::async_write(connection.socket, bytes, use_tuple);
}

asio::awaitable<TransferResult> read_some(Connection& connection, asio::mutable_buffer bytes) {
  if (connection.tls) co_return co_await connection.tls->async_read_some(bytes, use_tuple);
  co_return co_await connection.socket.async_read_some(bytes, use_tuple);
}

std::string pool_key(const Url& base) {
  return base.scheme + "://" + base.host + ":" + std::to_string(base.port);
}

asio::awaitable<Opened> open_connection(const asio::any_io_executor& executor, const Url& base,
                                        const ClientOptions& options, TlsContext* tls) {
  Opened result;
  auto connection = std::make_shared<Connection>(executor);
  connection->key = pool_key(base);
  arm_deadline(connection, options.connect_timeout);

  boost::system::error_code error;
  asio::ip::address address = asio::ip::make_address(base.host, error);
  tcp::endpoint connected_to;
  if (!error) {
    tcp::endpoint endpoint(address, base.port);
    std::tie(error) = co_await connection->socket.async_connect(endpoint, use_tuple);
  } else {
    connection->resolver.emplace(executor);
    auto [resolve_error, endpoints] =
        co_await connection->resolver->async_resolve(base.host, std::to_string(base.port), use_tuple);
    connection->resolver.reset();
    if (resolve_error) {
      disarm_deadline(*connection);
      result.failure = connection->timed_out ? FailureKind::connect_timeout : FailureKind::connect_failed;
      result.reason = connection->timed_out ? "resolving " + base.host + " timed out"
                                            : "cannot resolve " + base.host + ": " + resolve_error.message();
      co_return result;
    }
    std::tie(error, connected_to) = co_await asio::async_connect(connection->socket, endpoints, use_tuple);
  }
  if (error) {
    disarm_deadline(*connection);
    result.failure = connection->timed_out ? FailureKind::connect_timeout : FailureKind::connect_failed;
    result.reason = connection->timed_out ? "connecting to " + describe(base) + " timed out"
                                          : "cannot connect to " + describe(base) + ": " + error.message();
    co_return result;
  }
  // Requests are small and written at once: Nagle would only hold them back.
  connection->socket.set_option(tcp::no_delay(true), error);

  if (tls != nullptr) {
    connection->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(connection->socket, tls->context());
    SSL* handle = connection->tls->native_handle();
    asio::ip::make_address(base.host, error);
    bool numeric = !error;
    // RFC 6066 section 3: SNI carries host names only, never IP literals.
    if (!numeric) SSL_set_tlsext_host_name(handle, base.host.c_str());
    if (tls->verify()) {
      // OpenSSL's own check (RFC 6125: subjectAltName, no partial wildcards) reports "hostname mismatch"
      // or "IP address mismatch" where a verify callback could only say "verification failed".
      X509_VERIFY_PARAM* parameters = SSL_get0_param(handle);
      X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (numeric) {
        X509_VERIFY_PARAM_set1_ip_asc(parameters, base.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(parameters, base.host.c_str(), base.host.size());
      }
    }
    auto [handshake_error] = co_await connection->tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_error) {
      disarm_deadline(*connection);
      result.failure = connection->timed_out ? FailureKind::connect_timeout : FailureKind::tls_error;
      result.reason = connection->timed_out ? "TLS handshake with " + describe(base) + " timed out"
                                            : "TLS handshake with " + describe(base) +
                                                  " failed: " + tls_failure_reason(*connection->tls, handshake_error);
      co_return result;
    }
  }
  disarm_deadline(*connection);
  result.connection = std::move(connection);
  co_return result;
}

}  // namespace tachyon::upstream
