#include "tachyon/http/worker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tachyon/http/connection.hpp"
#include "tachyon/observe/connection_metrics.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds sweep_interval{250};
constexpr std::chrono::milliseconds accept_retry_delay{50};
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
}  // namespace

Worker::Worker(const ServerOptions& options, const Pipeline& pipeline, std::size_t max_connections)
    : options_(options),
      pipeline_(pipeline),
      max_connections_(max_connections),
      server_field_(options.server_header.empty() ? "" : "Server: " + options.server_header + "\r\n") {}

Worker::~Worker() {
  // Members declared after this flag (the timers, the listener, io_ and the coroutines it owns) are
  // destroyed first; connections destroyed then must not touch the timers any more.
  shutting_down_ = true;
}

namespace {

std::uint16_t open_listener(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.set_option(reuse_port(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor.local_endpoint().port();
}

}  // namespace

std::uint16_t Worker::listen(const tcp::endpoint& endpoint) {
  return open_listener(acceptor_, endpoint);
}

std::uint16_t Worker::listen_tls(const tcp::endpoint& endpoint, const tls::ReloadableContext* tls) {
  tls_ = tls;
  return open_listener(tls_acceptor_, endpoint);
}

void Worker::run() {
  if (options_.on_loop_start) options_.on_loop_start(io_);
  asio::co_spawn(io_, accept_loop(acceptor_, accept_pause_, nullptr), asio::detached);
  if (tls_acceptor_.is_open()) {
    asio::co_spawn(io_, accept_loop(tls_acceptor_, tls_accept_pause_, tls_), asio::detached);
  }
  asio::co_spawn(io_, sweep_loop(), asio::detached);
  io_.run();
  finished_.store(true, std::memory_order_release);
}

void Worker::begin_drain() {
  asio::post(io_, [this] {
    draining_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    tls_acceptor_.close(ignored);
    accept_pause_.cancel();
    tls_accept_pause_.cancel();
    sweep();  // closes idle connections now rather than at the next tick
  });
}

void Worker::force_stop() {
  io_.stop();
}

void Worker::add(Connection& connection) {
  observe::connection_metrics().open.increment();  // this thread's shard: no lock, no shared atomic
  connection.registry_index = connections_.size();
  connections_.push_back(&connection);
}

void Worker::remove(Connection& connection) {
  observe::connection_metrics().open.decrement();
  if (shutting_down_) return;
  std::size_t index = connection.registry_index;
  connections_[index] = connections_.back();
  connections_[index]->registry_index = index;
  connections_.pop_back();
  if (connections_.size() < max_connections_) {
    accept_pause_.cancel();
    tls_accept_pause_.cancel();
  }
}

asio::awaitable<void> Worker::accept_loop(tcp::acceptor& acceptor, asio::steady_timer& accept_pause,
                                          const tls::ReloadableContext* tls) {
  while (!draining_) {
    if (connections_.size() >= max_connections_) {
      // At the limit, stop accepting: new clients wait in the kernel's backlog instead of failing.
      accept_pause.expires_at(std::chrono::steady_clock::time_point::max());
      co_await accept_pause.async_wait(use_tuple);
      continue;
    }
    auto [error, socket] = co_await acceptor.async_accept(use_tuple);
    if (error == asio::error::operation_aborted || draining_) break;
    if (error) {
      // Out of descriptors or memory: back off briefly instead of spinning.
      observe::connection_metrics().rejected.add();
      observe::log_warn("accept failed", {{"error", std::string_view(error.message())}});
      accept_pause.expires_after(accept_retry_delay);
      co_await accept_pause.async_wait(use_tuple);
      continue;
    }
    observe::connection_metrics().accepted.add();
    asio::co_spawn(
        io_,
        [this, client = std::move(socket),
         context = tls != nullptr ? tls->current() : nullptr]() mutable -> asio::awaitable<void> {
          // The connection keeps the context it started with (its callbacks choose certificates and
          // ticket keys) for its whole life: a reload does not touch it.
          Connection connection(*this, std::move(client), context != nullptr ? context->native() : nullptr);
          co_await connection.serve();
        },
        asio::detached);
  }
}

asio::awaitable<void> Worker::sweep_loop() {
  while (!(draining_ && connections_.empty())) {
    sweep_timer_.expires_after(sweep_interval);
    co_await sweep_timer_.async_wait(use_tuple);
    sweep();
  }
  // Every connection is done. Per-loop clients (Redis, upstream pools) would keep the loop busy
  // forever, so stop it; they are destroyed on this thread as it exits (core::PerLoop).
  io_.stop();
}

void Worker::sweep() {
  coarse_now_ = std::chrono::steady_clock::now();
  for (Connection* connection : connections_) {
    Connection::Phase phase = connection->phase();
    if (phase == Connection::Phase::handling) continue;  // handlers bound their own work
    bool drained_idle = draining_ && phase == Connection::Phase::idle;
    if (drained_idle || connection->deadline() <= coarse_now_) connection->expire();
  }
}

}  // namespace tachyon::http
