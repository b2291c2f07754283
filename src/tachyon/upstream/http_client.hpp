// Non-blocking HTTP/1.1 client for calling upstream APIs from handlers: GET and POST over http or https
// on the caller's event loop, with keep-alive pooling, timeouts and a response size limit.
//
// Written here rather than used from Boost.Beast: it is Beast's equal per request on one keep-alive
// connection (0.98x Beast's requests per client CPU-second, within this VM's noise) and on fresh
// connections (0.98x), 1.17x with 16 requests in flight on 16 connections, and it adds what Beast leaves
// to the caller (the pool, per-phase timeouts, certificate and host checks, the size limit). BENCHMARKS.md
// section 11, bench/micro/upstream_client_benchmark.
//
// Design choices:
// - Runs on the caller's loop as Boost.Asio coroutines: no thread is blocked per call, and one client
//   per loop (like the database's readers) means the pool needs no lock. Not thread-safe.
// - DNS: host names go through asio's async_resolve (getaddrinfo on asio's one internal resolver thread
//   per io_context, so the loop never waits); numeric hosts skip it. Resolving counts against
//   connect_timeout, like TCP connect and the TLS handshake.
// - Timeouts: one timer per call phase (connect, then exchange). When it fires it closes the socket,
//   which aborts whatever is pending, and the call fails with connect_timeout or read_timeout. The
//   server's connections use a sweep instead, but upstream calls are rare next to the requests that
//   make them, and an upstream deadline of a few hundred ms needs a precise timer.
// - Keep-alive pool per scheme://host:port, last in first out (the most recently used connection is the
//   least likely to have been closed by the upstream), at most max_idle_connections_per_host idle. A
//   connection goes back only after a complete response that allows keep-alive with no extra bytes.
//   Before reuse a peek discards connections the upstream already closed; one that closes while our
//   request is in flight (the keep-alive race) is retried once on a fresh connection when the request
//   is idempotent (GET; a POST only when its caller says so, RFC 9110 §9.2.2) and nothing of the
//   response arrived. A partial response is never retried.
// - Responses over max_response_bytes fail as too_large (a Content-Length over the limit fails before
//   the body is read); a body is never truncated silently.
// - HTTPS through boost::asio::ssl (OpenSSL): SNI (for names, not IP literals), certificate chain and
//   host name (or IP) verification against the system CA store or ca_file. The TLS context is made on
//   first https use, so http-only clients never load the CA store.
// - The response parser is the one the load generator shares (tachyon/http/response_parser.hpp): Content-Length,
//   chunked and close-delimited bodies; interim 1xx responses are skipped.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tachyon::upstream {

// An upstream's base URL: "http://host:port/base" or "https://[::1]/v2". Ports default to 80 and 443;
// base_path has no trailing slash ("" for none).
struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // a name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string base_path;
};

// Throws std::invalid_argument naming what is wrong (scheme, host, port, user info, query, fragment).
Url parse_url(std::string_view text);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{1000};   // DNS + TCP (+ TLS handshake)
  std::chrono::milliseconds read_timeout{2000};      // from request sent to whole response received
  std::size_t max_idle_connections_per_host = 32;    // keep-alive pool
  std::size_t max_response_bytes = 8 * 1024 * 1024;  // body bytes
  bool verify_tls = true;                            // chain, SNI and host name verification
  std::string ca_file;                               // PEM bundle to trust; empty: the system CA store
  // Idle pooled connections older than this are closed instead of reused (upstreams close idle
  // keep-alive connections after their own timeout, often 5 to 75 s).
  std::chrono::milliseconds idle_timeout{15000};
};

struct Response {
  int status = 0;
  std::string content_type;  // "" when absent
  std::string body;
  std::string etag;                                          // "" when absent
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order

  // The first field named `name` (any case), or "".
  std::string_view header(std::string_view name) const;
};

enum class FailureKind { connect_failed, connect_timeout, read_timeout, protocol_error, too_large, tls_error };
inline constexpr std::size_t failure_kind_count = 6;
// "connect_failed", "read_timeout", ...: for logs and metric labels.
std::string_view to_string(FailureKind kind);

class UpstreamError : public std::runtime_error {
 public:
  UpstreamError(FailureKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  FailureKind kind() const { return kind_; }

 private:
  FailureKind kind_;
};

// A request body and its media type.
struct Body {
  std::string content_type;
  std::string bytes;
};

// Whether a request may be sent again when a pooled connection turns out closed before any answer.
enum class Idempotency { idempotent, not_idempotent };

struct ClientCounters {
  std::uint64_t requests = 0;            // get() and post() calls
  std::uint64_t responses = 0;           // complete responses, any status
  std::uint64_t connections_opened = 0;  // successful connects (and handshakes)
  std::uint64_t connections_reused = 0;  // requests sent on a pooled connection
  std::uint64_t stale_retries = 0;       // pooled connections found closed mid-request, retried fresh
  std::array<std::uint64_t, failure_kind_count> failures{};  // by FailureKind

  std::uint64_t failures_of(FailureKind kind) const { return failures[static_cast<std::size_t>(kind)]; }
};

struct Connection;
class TlsContext;

// One per event loop; keeps idle keep-alive connections per scheme://host:port. It must outlive the
// calls it makes and go before its io_context (its pooled sockets belong to that loop).
class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor executor, ClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET base.base_path + path (path starts with '/' and may carry a query) with extra headers such as
  // traceparent. Returns any status the upstream answers; throws UpstreamError when there is no
  // complete response, and std::invalid_argument for a path or header that would break the request.
  boost::asio::awaitable<Response> get(const Url& base, std::string path,
                                       std::vector<std::pair<std::string, std::string>> headers = {});
  // POST `body` to base.base_path + path, as get() otherwise. Sent once unless `idempotency` says that
  // sending it twice does no harm (a purge, a PUT-like upsert).
  boost::asio::awaitable<Response> post(const Url& base, std::string path, Body body,
                                        std::vector<std::pair<std::string, std::string>> headers = {},
                                        Idempotency idempotency = Idempotency::not_idempotent);

  const ClientCounters& counters() const { return counters_; }
  std::size_t idle_connections() const;
  const ClientOptions& options() const { return options_; }

 private:
  std::shared_ptr<Connection> take_idle(const std::string& key);
  void give_back(std::shared_ptr<Connection> connection);
  TlsContext* tls_context(const Url& base);
  boost::asio::awaitable<Response> send(const Url& base, std::string request, Idempotency idempotency);

  boost::asio::any_io_executor executor_;
  ClientOptions options_;
  std::unique_ptr<TlsContext> tls_;
  std::unordered_map<std::string, std::vector<std::shared_ptr<Connection>>> idle_;
  ClientCounters counters_;
};

}  // namespace tachyon::upstream
