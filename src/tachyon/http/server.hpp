// The HTTP/1.1 server: one event loop per core, each with its own SO_REUSEPORT listener (and one for
// HTTPS when TLS is configured), serving a Pipeline (middlewares + router). Handles keep-alive, pipelining, limits,
// timeouts and graceful drain.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tachyon/http/middleware.hpp"
#include "tachyon/http/request_parser.hpp"
#include "tachyon/http/response.hpp"
#include "tachyon/tls/server_context.hpp"

namespace tachyon::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;            // 0: the OS picks one; port() tells which
  unsigned workers = 0;                 // 0: one per core
  std::size_t max_connections = 10000;  // per process; accepting pauses at the limit
  ParserLimits limits;
  std::chrono::milliseconds header_timeout{10000};  // from a request's first byte to its last header
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request; also writes
  std::chrono::milliseconds body_timeout{30000};    // to receive a whole body, else 408
  std::chrono::milliseconds drain_timeout{10000};   // graceful shutdown bound
  std::size_t max_requests_per_connection = 0;      // 0: unlimited
  // The `Server` field's product name on every answer; empty sends none. No version: a version tells an
  // attacker which advisories apply.
  std::string server_header = "tachyon";
  // Added to the answers the connection gives itself, before any middleware could run (malformed or
  // oversized requests, timeouts): the security headers the pipeline would have set.
  HeaderLines protocol_error_headers;
  // Set: also serve HTTPS on tls_port (0: the OS picks; tls_port() tells which).
  // run_until_signal() reloads its files on SIGHUP.
  std::shared_ptr<tls::ReloadableContext> tls;
  std::uint16_t tls_port = 8443;
  // Runs on each worker thread before its loop starts, e.g. to open per-loop connections early.
  std::function<void(boost::asio::io_context&)> on_loop_start;
};

class Server {
 public:
  Server(ServerOptions options, Pipeline pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's listener and starts the worker threads. Throws std::system_error when the
  // address cannot be bound.
  void start();
  std::uint16_t port() const;
  std::uint16_t tls_port() const;  // 0 without TLS
  unsigned worker_count() const;

  // Begins a graceful drain: stop accepting, close idle connections, let in-flight requests finish
  // (answered with Connection: close), bounded by drain_timeout. Safe from any thread.
  void stop();
  // Blocks until the workers have finished after stop().
  void wait();
  // Listens for SIGINT/SIGTERM (and SIGHUP: reload the TLS certificate and key), start()s, calls
  // `on_started`, serves until a signal (or stop()), drains and returns.
  void run_until_signal(const std::function<void()>& on_started = {});

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tachyon::http
