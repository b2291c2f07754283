// Internal: keeps one hiredis connection up. Resolves the host without blocking, connects, sends AUTH,
// SELECT and a PING (the connect timeout covers all of it), and after any loss reconnects with
// exponential backoff and jitter until stopped. Client and Subscriber build on it.
#pragma once

#include <hiredis/async.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include "tachyon/redis/client.hpp"

namespace tachyon::redis {

class Connector : public std::enable_shared_from_this<Connector> {
 public:
  struct Events {
    // The handshake succeeded: `context` takes commands. Runs inside a hiredis reply callback, so it
    // may issue commands but must not free the context.
    std::function<void(redisAsyncContext* context, bool after_loss)> ready;
    // The context is being freed (its pending callbacks already ran with no reply). Must not call
    // hiredis.
    std::function<void()> lost;
  };

  Connector(boost::asio::io_context& io, RedisOptions options, std::string role, Events events);
  ~Connector();
  Connector(const Connector&) = delete;
  Connector& operator=(const Connector&) = delete;

  void start();
  // Frees the context (its pending callbacks run with no reply, then `lost`) and cancels every wait.
  void stop();
  // Drops the current connection (to reconnect later); safe inside a hiredis callback.
  void drop(std::string reason);
  // The live context once the handshake succeeded, else null.
  redisAsyncContext* context() const { return ready_ ? context_ : nullptr; }
  std::uint64_t reconnects() const { return reconnects_; }
  const RedisOptions& options() const { return options_; }

 private:
  void connect();
  void connect_to(const std::string& address);
  void start(redisAsyncContext* context);  // takes a context just created by hiredis (null: out of memory)
  void on_context_freed();
  void attempt_failed();  // schedules the next attempt after the backoff
  void handshake_reply(redisReply* reply, bool last);
  static void handshake_callback(redisAsyncContext* context, void* reply, void* last);
  static void connect_callback(const redisAsyncContext* context, int status);

  boost::asio::io_context& io_;
  RedisOptions options_;
  std::string role_;      // "client" or "subscriber", for the log
  std::string endpoint_;  // "host:port" or the unix socket path, for the log
  Events events_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::minstd_rand random_;
  redisAsyncContext* context_ = nullptr;
  bool running_ = false;
  bool ready_ = false;        // takes commands (cleared at once by drop(), even when the free is deferred)
  bool established_ = false;  // this context completed its handshake (for `lost` and the log)
  bool ever_ready_ = false;
  bool failure_logged_ = false;   // one warning per outage, not one per attempt
  std::uint32_t attempt_ = 0;     // failed attempts since the last success (the backoff exponent)
  std::uint64_t generation_ = 0;  // bumped per connect attempt so stale timer/resolver completions do nothing
  std::uint64_t reconnects_ = 0;
  std::string last_error_;  // why the last attempt or connection ended, for the log
};

}  // namespace tachyon::redis
