// Internal to http/: one event loop thread with its own listener, buffer pool and connection registry.
// A connection never leaves the worker that accepted it, so nothing here needs a lock.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

#include "tachyon/http/buffer.hpp"
#include "tachyon/http/middleware.hpp"
#include "tachyon/http/server.hpp"

namespace tachyon::http {

class Connection;

class Worker {
 public:
  Worker(const ServerOptions& options, const Pipeline& pipeline, std::size_t max_connections);
  ~Worker();

  // Opens the listener with SO_REUSEPORT; returns the bound port.
  std::uint16_t listen(const boost::asio::ip::tcp::endpoint& endpoint);
  // The same for HTTPS: connections accepted there speak TLS with `tls`'s current context (owned by the
  // server's options).
  std::uint16_t listen_tls(const boost::asio::ip::tcp::endpoint& endpoint, const tls::ReloadableContext* tls);
  void run();          // the thread body
  void begin_drain();  // thread-safe
  void force_stop();   // thread-safe: abandon what is left
  bool finished() const { return finished_.load(std::memory_order_acquire); }

  const ServerOptions& options() const { return options_; }
  const Pipeline& pipeline() const { return pipeline_; }
  // "Server: <options.server_header>\r\n", or empty when that is empty.
  std::string_view server_field() const { return server_field_; }
  BufferPool& buffers() { return buffers_; }
  boost::asio::io_context& io() { return io_; }
  bool draining() const { return draining_; }
  // Refreshed by every sweep (4 per second): cheap and precise enough for second-scale deadlines.
  std::chrono::steady_clock::time_point coarse_now() const { return coarse_now_; }

  void add(Connection& connection);
  void remove(Connection& connection);

 private:
  // One per listener, each with its own pause timer (re-arming a shared one would wake the other loop).
  boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor,
                                           boost::asio::steady_timer& accept_pause, const tls::ReloadableContext* tls);
  boost::asio::awaitable<void> sweep_loop();
  void sweep();

  const ServerOptions& options_;
  const Pipeline& pipeline_;
  std::size_t max_connections_;
  std::string server_field_;
  // Declared before io_ so they outlive it: destroying io_ destroys suspended connection coroutines,
  // whose connections give their buffers back and unregister themselves.
  BufferPool buffers_;
  std::vector<Connection*> connections_;
  bool shutting_down_ = false;
  std::chrono::steady_clock::time_point coarse_now_ = std::chrono::steady_clock::now();
  bool draining_ = false;
  std::atomic<bool> finished_{false};
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  boost::asio::ip::tcp::acceptor tls_acceptor_{io_};
  const tls::ReloadableContext* tls_ = nullptr;
  boost::asio::steady_timer sweep_timer_{io_};
  boost::asio::steady_timer accept_pause_{io_};
  boost::asio::steady_timer tls_accept_pause_{io_};
};

}  // namespace tachyon::http
