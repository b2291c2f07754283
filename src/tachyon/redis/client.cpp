// Client: pipelined commands on one connection. Each command is written at once and remembered in
// send order; replies arrive in that order. One sweep timer, armed for the oldest unanswered command,
// fails commands whose reply is late; their replies, when they come, are then discarded. A connection
// whose oldest reply is late by twice the timeout is dropped and reconnected.
#include "tachyon/redis/client.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <deque>

#include "tachyon/redis/connector.hpp"
#include "tachyon/redis/reply.hpp"

namespace tachyon::redis {

namespace asio = boost::asio;
using Completion = std::function<void(std::exception_ptr, Reply)>;

class ClientState : public std::enable_shared_from_this<ClientState> {
 public:
  ClientState(asio::io_context& io, RedisOptions options)
      : io_(io),
        connector_(std::make_shared<Connector>(io, std::move(options), "client", Connector::Events{})),
        sweep_timer_(io) {}
  ~ClientState() { connector_->stop(); }  // every pending callback runs (with no reply) before members go

  void start() { connector_->start(); }
  void stop() { connector_->stop(); }
  bool connected() const { return connector_->context() != nullptr; }
  ClientCounters counters() const {
    ClientCounters copy = counters_;
    copy.reconnects = connector_->reconnects();
    return copy;
  }

  void command(std::vector<std::string> arguments, Completion done);

 private:
  struct Pending {
    ClientState* state;  // the context that holds this never outlives the state
    Completion done;     // empty once completed (timed out)
    std::chrono::steady_clock::time_point deadline;
  };

  static void reply_callback(redisAsyncContext* context, void* reply, void* privdata);
  void on_reply(std::unique_ptr<Pending> pending, const redisReply* reply);
  void fail(Completion& done, std::string why);
  void sweep();
  void arm_sweep(std::chrono::steady_clock::time_point when);

  asio::io_context& io_;
  std::shared_ptr<Connector> connector_;
  // Commands written and not yet answered, oldest first. The first `expired_` already failed with a
  // timeout: hiredis still expects their replies.
  std::deque<Pending*> in_flight_;
  std::size_t expired_ = 0;
  asio::steady_timer sweep_timer_;
  bool sweep_armed_ = false;
  ClientCounters counters_;
};

namespace {

// Commands that would make hiredis route replies to subscription callbacks (or stream them forever),
// breaking the one-reply-per-command order the pipeline relies on.
bool refused(std::string_view name) {
  static constexpr std::array<std::string_view, 7> names = {"subscribe",    "psubscribe",   "ssubscribe", "unsubscribe",
                                                            "punsubscribe", "sunsubscribe", "monitor"};
  return std::any_of(names.begin(), names.end(), [name](std::string_view refused_name) {
    return name.size() == refused_name.size() &&
           std::equal(name.begin(), name.end(), refused_name.begin(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  });
}

}  // namespace

void ClientState::fail(Completion& done, std::string why) {
  ++counters_.commands_failed;
  // Always through the loop, never inside command(): callers may hold locks or iterate.
  asio::post(io_, [done = std::move(done), error = std::make_exception_ptr(RedisError(std::move(why)))]() {
    done(error, Reply{});
  });
}

void ClientState::command(std::vector<std::string> arguments, Completion done) {
  if (arguments.empty()) return fail(done, "redis: empty command");
  if (refused(arguments.front())) return fail(done, "redis: " + arguments.front() + " needs a Subscriber");
  redisAsyncContext* context = connector_->context();
  if (context == nullptr) return fail(done, "redis: not connected");

  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(arguments.size());
  lengths.reserve(arguments.size());
  for (const std::string& argument : arguments) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  auto deadline = std::chrono::steady_clock::now() + connector_->options().command_timeout;
  auto pending = std::make_unique<Pending>(Pending{this, std::move(done), deadline});
  if (redisAsyncCommandArgv(context, &ClientState::reply_callback, pending.get(), static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    return fail(pending->done, "redis: the connection is closing");
  }
  ++counters_.commands_sent;
  in_flight_.push_back(pending.release());  // owned by hiredis until reply_callback
  if (!sweep_armed_) arm_sweep(deadline);   // an armed sweep is due no later than this deadline
}

// hiredis calls this exactly once per command: with the reply, or with null when the context is freed
// (connection lost, stop(), destruction).
void ClientState::reply_callback(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  ClientState* state = pending->state;
  state->on_reply(std::move(pending), static_cast<const redisReply*>(reply));
}

void ClientState::on_reply(std::unique_ptr<Pending> pending, const redisReply* reply) {
  // Replies come in send order, so this is the oldest entry; the search only guards that invariant.
  auto found = std::find(in_flight_.begin(), in_flight_.end(), pending.get());
  if (found != in_flight_.end()) {
    if (static_cast<std::size_t>(found - in_flight_.begin()) < expired_) --expired_;
    in_flight_.erase(found);
  }
  if (!pending->done) return;  // timed out earlier: the late reply is dropped
  if (reply == nullptr) return fail(pending->done, "redis: connection lost");
  asio::post(
      io_, [done = std::move(pending->done), copy = copy_reply(*reply)]() mutable { done(nullptr, std::move(copy)); });
}

void ClientState::sweep() {
  auto now = std::chrono::steady_clock::now();
  auto timeout = connector_->options().command_timeout;
  while (expired_ < in_flight_.size() && in_flight_[expired_]->deadline <= now) {
    ++counters_.commands_timed_out;
    fail(in_flight_[expired_]->done, "redis: command timed out");
    in_flight_[expired_]->done = nullptr;
    ++expired_;
  }
  // A server that is stopped or stuck keeps its TCP connection open, so without this every command
  // would wait out its own timeout for as long as the stall lasts. Once the oldest reply is overdue by
  // another full timeout the connection is dropped: commands then fail at once while it reconnects
  // (whose handshake PING has the connect timeout).
  if (expired_ > 0 && in_flight_.front()->deadline + timeout <= now) {
    connector_->drop("no reply for " + std::to_string(2 * timeout.count()) + " ms");
    return;  // every entry was completed and removed by hiredis
  }
  if (in_flight_.empty()) return;
  auto next = expired_ > 0 ? in_flight_.front()->deadline + timeout : in_flight_[expired_]->deadline;
  if (expired_ > 0 && expired_ < in_flight_.size()) next = std::min(next, in_flight_[expired_]->deadline);
  arm_sweep(next);
}

void ClientState::arm_sweep(std::chrono::steady_clock::time_point when) {
  sweep_armed_ = true;
  sweep_timer_.expires_at(when);
  sweep_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code&) {
    if (auto self = weak.lock()) {
      self->sweep_armed_ = false;
      self->sweep();
    }
  });
}

Client::Client(asio::io_context& io, RedisOptions options)
    : state_(std::make_shared<ClientState>(io, std::move(options))) {}

Client::~Client() {
  state_->stop();
}

void Client::start() {
  state_->start();
}
void Client::stop() {
  state_->stop();
}
bool Client::connected() const {
  return state_->connected();
}
ClientCounters Client::counters() const {
  return state_->counters();
}

void Client::command(std::vector<std::string> arguments, std::function<void(std::exception_ptr, Reply)> done) {
  state_->command(std::move(arguments), std::move(done));
}

asio::awaitable<Reply> Client::execute(std::vector<std::string> arguments) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, Reply)>(
      [this](auto handler, std::vector<std::string> command_arguments) {
        // std::function needs a copyable target; the coroutine's handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        state_->command(std::move(command_arguments), [shared](std::exception_ptr error, Reply reply) {
          auto executor = asio::get_associated_executor(*shared);
          asio::dispatch(executor,
                         [shared, error, reply = std::move(reply)]() mutable { (*shared)(error, std::move(reply)); });
        });
      },
      asio::use_awaitable, std::move(arguments));
}

}  // namespace tachyon::redis
