#include "tachyon/http/server.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <mutex>
#include <thread>
#include <vector>

#include "tachyon/http/worker.hpp"
#include "tachyon/observe/log.hpp"

namespace tachyon::http {

namespace asio = boost::asio;
using asio::ip::tcp;

class Server::Impl {
 public:
  Impl(ServerOptions options, Pipeline pipeline) : options_(std::move(options)), pipeline_(std::move(pipeline)) {
    unsigned count = options_.workers != 0 ? options_.workers : std::max(1u, std::thread::hardware_concurrency());
    std::size_t per_worker = (options_.max_connections + count - 1) / count;
    for (unsigned i = 0; i < count; ++i) workers_.push_back(std::make_unique<Worker>(options_, pipeline_, per_worker));
  }

  ~Impl() {
    stop();
    wait();
  }

  void start() {
    tcp::endpoint endpoint(asio::ip::make_address(options_.host), options_.port);
    for (auto& worker : workers_) {
      port_ = worker->listen(endpoint);
      endpoint.port(port_);  // with port 0 the first listener picks; the others share it
    }
    if (options_.tls) {
      tcp::endpoint secure(asio::ip::make_address(options_.host), options_.tls_port);
      for (auto& worker : workers_) {
        tls_port_ = worker->listen_tls(secure, options_.tls.get());
        secure.port(tls_port_);
      }
    }
    for (auto& worker : workers_) threads_.emplace_back([&worker] { worker->run(); });
  }

  void stop() {
    std::call_once(stop_once_, [this] {
      stop_requested_at_.store(std::chrono::steady_clock::now().time_since_epoch().count());
      for (auto& worker : workers_) worker->begin_drain();
    });
  }

  void wait() {
    if (threads_.empty()) return;
    // Workers finish by themselves once their connections are done; past the drain bound, stop them.
    for (;;) {
      bool all_finished = true;
      for (auto& worker : workers_) all_finished = all_finished && worker->finished();
      if (all_finished) break;
      if (stop_requested() && std::chrono::steady_clock::now() - stop_time() > options_.drain_timeout) {
        observe::log_warn("drain timeout reached; closing remaining connections");
        for (auto& worker : workers_) worker->force_stop();
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  void run_until_signal(const std::function<void()>& on_started) {
    asio::io_context signals_context;
    asio::signal_set signals(signals_context, SIGINT, SIGTERM, SIGHUP);
    std::signal(SIGPIPE, SIG_IGN);
    start();
    if (on_started) on_started();
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [this, &signals, &on_signal](const boost::system::error_code& error, int signal_number) {
      if (error) return;
      if (signal_number == SIGHUP) {
        reload_tls();
        signals.async_wait(on_signal);
        return;
      }
      observe::log_info("shutting down", {{"signal", signal_number}});
      stop();
    };
    signals.async_wait(on_signal);
    // Poll so that a stop() from elsewhere also ends the wait.
    while (!stop_requested()) {
      signals_context.run_for(std::chrono::milliseconds(50));
    }
    wait();
  }

  std::uint16_t port() const { return port_; }
  std::uint16_t tls_port() const { return tls_port_; }

  void reload_tls() {
    if (!options_.tls) {
      observe::log_info("SIGHUP: nothing to reload (no TLS listener)");
      return;
    }
    if (std::optional<std::string> problem = options_.tls->reload()) {
      observe::log_error("TLS certificate reload failed; the previous certificate stays in use",
                         {{"error", std::string_view(*problem)}});
    } else {
      observe::log_info("TLS certificate reloaded");
    }
  }
  unsigned worker_count() const { return static_cast<unsigned>(workers_.size()); }

 private:
  ServerOptions options_;
  Pipeline pipeline_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::uint16_t tls_port_ = 0;
  std::once_flag stop_once_;
  std::atomic<std::chrono::steady_clock::rep> stop_requested_at_{0};  // 0 until stop()

  bool stop_requested() const { return stop_requested_at_.load() != 0; }
  std::chrono::steady_clock::time_point stop_time() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(stop_requested_at_.load()));
  }
};

Server::Server(ServerOptions options, Pipeline pipeline)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(pipeline))) {}
Server::~Server() = default;
void Server::start() {
  impl_->start();
}
std::uint16_t Server::port() const {
  return impl_->port();
}
std::uint16_t Server::tls_port() const {
  return impl_->tls_port();
}
unsigned Server::worker_count() const {
  return impl_->worker_count();
}
void Server::stop() {
  impl_->stop();
}
void Server::wait() {
  impl_->wait();
}
void Server::run_until_signal(const std::function<void()>& on_started) {
  impl_->run_until_signal(on_started);
}

}  // namespace tachyon::http
