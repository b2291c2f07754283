// Asynchronous Redis for the event loops: a pipelined command connection (Client) and a pub/sub
// connection (Subscriber), both driven by an io_context through hiredis, reconnecting on their own.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::string unix_socket;  // when set, the server's unix socket path instead of host and port
  std::string user;         // empty: `AUTH password` (the default user); otherwise `AUTH user password` (ACL)
  std::string password;
  int database = 0;
  std::chrono::milliseconds connect_timeout{500};                    // TCP connect plus AUTH, SELECT and a PING
  std::chrono::milliseconds command_timeout{500};                    // a reply later than this fails the command
  std::chrono::milliseconds reconnect_min{50}, reconnect_max{2000};  // exponential backoff with jitter
};

// Parses redis://[[user]:password@]host[:port][/db] (IPv6 hosts in brackets; user and password may be
// percent-encoded) or unix://[[user]:password@]/path/to/redis.sock[?db=N], through core::parse_url;
// throws std::invalid_argument with a message that never contains the password. Log the URL only
// through core::redact_url.
RedisOptions parse_redis_url(std::string_view url);

// A Redis reply, copied out of hiredis.
struct Reply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string text;  // string, status and error replies
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::nil; }
  bool is_error() const { return type == Type::error; }
  // Throws RedisError carrying the error text when this is an error reply.
  void throw_if_error() const;
};

// Not connected, timeout, connection lost, or an error reply when asked to throw.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClientCounters {
  std::uint64_t commands_sent = 0;    // written to a connection
  std::uint64_t commands_failed = 0;  // completed with RedisError (not connected, timeout, lost); not error replies
  std::uint64_t commands_timed_out = 0;
  std::uint64_t reconnects = 0;  // connections established again after a loss
};

class ClientState;
class SubscriberState;

// One connection, used from ONE io_context thread only (not thread-safe; create one per event loop).
// Commands are pipelined: each is written at once, replies matched in order. Connects in the
// background at start() and reconnects after any loss with exponential backoff + jitter, forever,
// until stop(). While disconnected, commands fail at once with RedisError (never queue, never hang):
// callers degrade to their other tiers. (P)SUBSCRIBE and MONITOR are refused: use Subscriber.
class Client {
 public:
  Client(boost::asio::io_context& io, RedisOptions options);
  ~Client();  // stops; pending commands fail
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void start();
  void stop();  // pending commands fail with RedisError; start() connects again
  bool connected() const;

  // `done(error, reply)` runs on the io_context, never inside this call. `error` is a RedisError for
  // transport failures; error replies arrive as a Reply of Type::error.
  void command(std::vector<std::string> arguments, std::function<void(std::exception_ptr, Reply)> done);
  // co_await client.execute(args) -> Reply (error replies are returned as Reply with Type::error,
  // transport failures throw RedisError). Pass a named, moved vector (GCC 12 temporaries in co_await).
  boost::asio::awaitable<Reply> execute(std::vector<std::string> arguments);

  ClientCounters counters() const;

 private:
  std::shared_ptr<ClientState> state_;
};

// A dedicated pub/sub connection: SUBSCRIBEs to the given channels, calls on_message(channel, payload)
// on the io_context for each message; after a reconnect it resubscribes and calls on_reconnected()
// (messages may have been missed while down: the owner then drops what it cannot trust). Callbacks
// never run after stop() or destruction.
class Subscriber {
 public:
  Subscriber(boost::asio::io_context& io, RedisOptions options, std::vector<std::string> channels,
             std::function<void(std::string_view channel, std::string_view payload)> on_message,
             std::function<void()> on_reconnected = {});
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  void start();
  void stop();
  bool connected() const;  // subscribed to every channel on a live connection

 private:
  std::shared_ptr<SubscriberState> state_;
};

}  // namespace tachyon::redis
