// Subscriber: one pub/sub connection. Subscribes on every (re)connect; messages and the reconnect
// notice are posted to the loop, and dropped if the subscriber stopped or went away meanwhile.
#include <boost/asio/post.hpp>
#include <cstring>

#include "tachyon/redis/client.hpp"
#include "tachyon/redis/connector.hpp"

namespace tachyon::redis {

namespace asio = boost::asio;
using MessageHandler = std::function<void(std::string_view channel, std::string_view payload)>;

class SubscriberState : public std::enable_shared_from_this<SubscriberState> {
 public:
  SubscriberState(asio::io_context& io, RedisOptions options, std::vector<std::string> channels,
                  MessageHandler on_message, std::function<void()> on_reconnected)
      : io_(io),
        channels_(std::move(channels)),
        on_message_(std::move(on_message)),
        on_reconnected_(std::move(on_reconnected)),
        connector_(std::make_shared<Connector>(
            io, std::move(options), "subscriber",
            Connector::Events{
                .ready = [this](redisAsyncContext* context, bool after_loss) { subscribe(context, after_loss); },
                .lost =
                    [this] {
                      confirmed_ = 0;
                      subscribed_ = false;
                    }})) {}
  ~SubscriberState() { connector_->stop(); }

  void start() {
    if (running_) return;
    running_ = true;
    ++session_;
    connector_->start();
  }
  void stop() {
    running_ = false;
    connector_->stop();
  }
  bool connected() const { return subscribed_ && connector_->context() != nullptr; }

 private:
  void subscribe(redisAsyncContext* context, bool after_loss);
  static void message_callback(redisAsyncContext* context, void* reply, void* privdata);
  void on_reply(const redisReply& reply);
  template <class Action>
  void deliver(Action action);

  asio::io_context& io_;
  std::vector<std::string> channels_;
  MessageHandler on_message_;
  std::function<void()> on_reconnected_;
  std::shared_ptr<Connector> connector_;
  bool running_ = false;
  std::uint64_t session_ = 0;  // per start(): what was posted before a stop() is not delivered after
  std::size_t confirmed_ = 0;  // subscribe confirmations on this connection
  bool subscribed_ = false;
  bool announce_reconnect_ = false;  // this connection replaces a lost one
};

template <class Action>
void SubscriberState::deliver(Action action) {
  asio::post(io_, [weak = weak_from_this(), session = session_, action = std::move(action)]() mutable {
    auto self = weak.lock();
    if (self != nullptr && self->running_ && self->session_ == session) action(*self);
  });
}

void SubscriberState::subscribe(redisAsyncContext* context, bool after_loss) {
  confirmed_ = 0;
  subscribed_ = channels_.empty();
  announce_reconnect_ = after_loss;
  if (channels_.empty()) {
    if (after_loss && on_reconnected_) deliver([](SubscriberState& self) { self.on_reconnected_(); });
    return;
  }
  std::vector<const char*> argv = {"SUBSCRIBE"};
  std::vector<std::size_t> lengths = {9};
  for (const std::string& channel : channels_) {
    argv.push_back(channel.data());
    lengths.push_back(channel.size());
  }
  // hiredis keeps this callback per channel until the context is freed; the context never outlives us.
  if (redisAsyncCommandArgv(context, &SubscriberState::message_callback, this, static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    connector_->drop("SUBSCRIBE was refused");
  }
}

void SubscriberState::message_callback(redisAsyncContext*, void* reply, void* privdata) {
  if (reply == nullptr) return;  // the context is being freed
  static_cast<SubscriberState*>(privdata)->on_reply(*static_cast<const redisReply*>(reply));
}

void SubscriberState::on_reply(const redisReply& reply) {
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3 || reply.element[0]->type != REDIS_REPLY_STRING) return;
  std::string_view kind(reply.element[0]->str, reply.element[0]->len);
  const redisReply& channel = *reply.element[1];
  const redisReply& payload = *reply.element[2];
  if (kind == "message" && channel.type == REDIS_REPLY_STRING && payload.type == REDIS_REPLY_STRING) {
    if (!on_message_) return;
    deliver([channel_text = std::string(channel.str, channel.len),
             payload_text = std::string(payload.str, payload.len)](SubscriberState& self) {
      self.on_message_(channel_text, payload_text);
    });
  } else if (kind == "subscribe" && ++confirmed_ == channels_.size()) {
    subscribed_ = true;
    if (announce_reconnect_ && on_reconnected_) deliver([](SubscriberState& self) { self.on_reconnected_(); });
  }
}

Subscriber::Subscriber(asio::io_context& io, RedisOptions options, std::vector<std::string> channels,
                       MessageHandler on_message, std::function<void()> on_reconnected)
    : state_(std::make_shared<SubscriberState>(io, std::move(options), std::move(channels), std::move(on_message),
                                               std::move(on_reconnected))) {}

Subscriber::~Subscriber() {
  state_->stop();
}

void Subscriber::start() {
  state_->start();
}
void Subscriber::stop() {
  state_->stop();
}
bool Subscriber::connected() const {
  return state_->connected();
}

}  // namespace tachyon::redis
