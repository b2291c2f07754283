// The connection lifecycle shared by Client and Subscriber.
#include "tachyon/redis/connector.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "tachyon/observe/log.hpp"
#include "tachyon/redis/asio_adapter.hpp"

namespace tachyon::redis {

namespace asio = boost::asio;

Connector::Connector(asio::io_context& io, RedisOptions options, std::string role, Events events)
    : io_(io),
      options_(std::move(options)),
      role_(std::move(role)),
      endpoint_(!options_.unix_socket.empty() ? options_.unix_socket
                : options_.host.find(':') != std::string::npos
                    ? "[" + options_.host + "]:" + std::to_string(options_.port)
                    : options_.host + ":" + std::to_string(options_.port)),
      events_(std::move(events)),
      resolver_(io),
      connect_timer_(io),
      reconnect_timer_(io),
      random_(std::random_device{}()) {}

Connector::~Connector() {
  stop();
}

void Connector::start() {
  if (running_) return;
  running_ = true;
  attempt_ = 0;
  connect();
}

void Connector::stop() {
  running_ = false;
  ++generation_;
  connect_timer_.cancel();
  reconnect_timer_.cancel();
  resolver_.cancel();
  drop("stopped");
}

void Connector::drop(std::string reason) {
  if (context_ == nullptr) return;
  if (!reason.empty()) last_error_ = std::move(reason);
  ready_ = false;
  // Inside a reply callback hiredis defers the free until the callback returns; either way the
  // adapter's cleanup reports it through on_context_freed().
  redisAsyncFree(context_);
}

void Connector::connect() {
  std::uint64_t attempt = ++generation_;
  std::weak_ptr<Connector> weak = weak_from_this();
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([weak, attempt](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (error || self == nullptr || attempt != self->generation_ || self->ready_) return;
    self->last_error_ = "connect timeout";
    ++self->generation_;  // a resolution still running is abandoned
    self->resolver_.cancel();
    if (self->context_ != nullptr) {
      self->drop("connect timeout");  // on_context_freed schedules the next attempt
    } else {
      self->attempt_failed();
    }
  });

  if (!options_.unix_socket.empty()) {
    start(redisAsyncConnectUnix(options_.unix_socket.c_str()));
    return;
  }
  boost::system::error_code not_an_address;
  asio::ip::make_address(options_.host, not_an_address);
  if (!not_an_address) {
    connect_to(options_.host);
    return;
  }
  // hiredis would resolve with a blocking getaddrinfo; Asio's resolver does it off the loop.
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      [weak, attempt](const boost::system::error_code& error, const asio::ip::tcp::resolver::results_type& results) {
        auto self = weak.lock();
        if (self == nullptr || attempt != self->generation_) return;
        if (error || results.empty()) {
          self->last_error_ = "cannot resolve the host: " + error.message();
          self->attempt_failed();
          return;
        }
        self->connect_to(results.begin()->endpoint().address().to_string());
      });
}

void Connector::connect_to(const std::string& address) {
  start(redisAsyncConnect(address.c_str(), options_.port));
}

void Connector::start(redisAsyncContext* context) {
  if (context == nullptr || context->err != 0) {
    last_error_ = context == nullptr ? "out of memory" : context->c.errstr;
    if (context != nullptr) redisAsyncFree(context);  // no adapter attached yet: nothing else runs
    attempt_failed();
    return;
  }
  context_ = context;
  context->data = this;
  // TCP keep-alive: a host that vanished is noticed even on a quiet subscriber (a unix socket has none).
  if (options_.unix_socket.empty()) redisEnableKeepAlive(&context->c);
  // The context never outlives this object (stop() frees it), so the raw pointer is safe.
  AsioAdapter::attach(io_, context, [this] { on_context_freed(); });
  redisAsyncSetConnectCallback(context, &Connector::connect_callback);

  // Queued now, written by hiredis as soon as the TCP connection is up; PING last, so `ready` means
  // the server answers (a stopped server still accepts TCP connections into its backlog).
  std::vector<std::vector<std::string>> commands;
  if (!options_.password.empty()) {
    if (options_.user.empty()) {
      commands.push_back({"AUTH", options_.password});
    } else {
      commands.push_back({"AUTH", options_.user, options_.password});
    }
  }
  if (options_.database != 0) commands.push_back({"SELECT", std::to_string(options_.database)});
  commands.push_back({"PING"});
  for (std::size_t index = 0; index < commands.size(); ++index) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& argument : commands[index]) {
      argv.push_back(argument.data());
      lengths.push_back(argument.size());
    }
    // privdata only marks the last command: the Connector comes from context->data.
    void* last = index + 1 == commands.size() ? this : nullptr;
    redisAsyncCommandArgv(context, &Connector::handshake_callback, last, static_cast<int>(argv.size()), argv.data(),
                          lengths.data());
  }
}

// Setting it is what makes hiredis wait for writability, i.e. the end of the non-blocking connect.
void Connector::connect_callback(const redisAsyncContext* context, int status) {
  if (status != REDIS_OK) static_cast<Connector*>(context->data)->last_error_ = context->c.errstr;
}

void Connector::handshake_callback(redisAsyncContext* context, void* reply, void* last) {
  static_cast<Connector*>(context->data)->handshake_reply(static_cast<redisReply*>(reply), last != nullptr);
}

void Connector::handshake_reply(redisReply* reply, bool last) {
  if (reply == nullptr || context_ == nullptr || !running_) return;  // being freed: on_context_freed follows
  if (reply->type == REDIS_REPLY_ERROR) {
    // e.g. "WRONGPASS invalid username-password pair": the server's text never contains the password.
    drop(std::string(reply->str, reply->len));
    return;
  }
  if (!last) return;
  ready_ = established_ = true;
  connect_timer_.cancel();
  attempt_ = 0;
  bool after_loss = ever_ready_;
  if (after_loss) ++reconnects_;
  ever_ready_ = true;
  failure_logged_ = false;
  observe::log_info(
      "redis connected",
      {{"role", role_}, {"server", endpoint_}, {"database", options_.database}, {"reconnect", after_loss}});
  if (events_.ready) events_.ready(context_, after_loss);
}

void Connector::on_context_freed() {
  // hiredis copied the cause (EOF, reset, refused) into the context before freeing it.
  if (context_ != nullptr && context_->c.err != 0) last_error_ = context_->c.errstr;
  bool was_ready = established_;
  context_ = nullptr;
  ready_ = false;
  established_ = false;
  connect_timer_.cancel();
  if (was_ready && events_.lost) events_.lost();
  if (!running_) return;
  if (was_ready) {
    observe::log_warn("redis connection lost", {{"role", role_}, {"server", endpoint_}, {"error", last_error_}});
    failure_logged_ = true;
  }
  attempt_failed();
}

void Connector::attempt_failed() {
  connect_timer_.cancel();
  if (!running_) return;
  if (!failure_logged_) {
    observe::log_warn("redis connect failed",
                      {{"role", role_}, {"server", endpoint_}, {"error", last_error_}, {"retrying", true}});
    failure_logged_ = true;
  }
  // Exponential backoff from reconnect_min to reconnect_max, each delay drawn from [delay/2, delay]
  // so that many clients that lost the same server do not come back in step.
  auto minimum = std::max<std::int64_t>(1, options_.reconnect_min.count());
  auto maximum = std::max<std::int64_t>(minimum, options_.reconnect_max.count());
  std::int64_t delay = minimum << std::min<std::uint32_t>(attempt_, 20);
  delay = std::min(delay, maximum);
  ++attempt_;
  std::uniform_int_distribution<std::int64_t> jitter(delay / 2, delay);
  std::uint64_t attempt = ++generation_;
  reconnect_timer_.expires_after(std::chrono::milliseconds(jitter(random_)));
  reconnect_timer_.async_wait([weak = weak_from_this(), attempt](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (error || self == nullptr || !self->running_ || attempt != self->generation_) return;
    self->connect();
  });
}

}  // namespace tachyon::redis
