// Redis client against a real redis-server started per test: round trips, pipelining order, error
// replies, AUTH and SELECT, failing fast while the server is down, reconnecting after a restart,
// pub/sub with resubscription, command timeouts against a paused server, and clean stop/destruction
// with commands in flight. Also redis:// URL parsing and redaction.
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"
#include "tachyon/redis/client.hpp"

namespace tachyon::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::RedisServer;

RedisOptions options_for(const RedisServer& server) {
  RedisOptions options;
  options.port = server.port();
  options.reconnect_min = 20ms;
  options.reconnect_max = 200ms;
  options.command_timeout = 5s;
  options.connect_timeout = 2s;
  return options;
}

// Runs the loop until `done()` holds or `limit` passes; returns done().
template <class Predicate>
bool run_until(asio::io_context& io, Predicate done, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    if (io.run_for(5ms) == 0) std::this_thread::sleep_for(1ms);
  }
  return done();
}

struct Outcome {
  bool done = false;
  std::exception_ptr error;
  Reply reply;
  std::string error_text() const {
    if (!error) return "";
    try {
      std::rethrow_exception(error);
    } catch (const RedisError& failure) {
      return failure.what();
    } catch (...) {
      return "not a RedisError";
    }
  }
};

Outcome run(asio::io_context& io, Client& client, std::vector<std::string> arguments) {
  auto outcome = std::make_shared<Outcome>();
  client.command(std::move(arguments), [outcome](std::exception_ptr error, Reply reply) {
    outcome->done = true;
    outcome->error = error;
    outcome->reply = std::move(reply);
  });
  run_until(io, [&] { return outcome->done; });
  return *outcome;
}

bool wait_connected(asio::io_context& io, Client& client) {
  return run_until(io, [&] { return client.connected(); });
}

TEST(RedisUrl, ParsesEveryPart) {
  RedisOptions options = parse_redis_url("redis://alice:s%40cret@cache.internal:6380/4");
  EXPECT_EQ(options.user, "alice");
  EXPECT_EQ(options.password, "s@cret");
  EXPECT_EQ(options.host, "cache.internal");
  EXPECT_EQ(options.port, 6380);
  EXPECT_EQ(options.database, 4);

  RedisOptions defaults = parse_redis_url("redis://localhost");
  EXPECT_EQ(defaults.host, "localhost");
  EXPECT_EQ(defaults.port, 6379);
  EXPECT_EQ(defaults.database, 0);
  EXPECT_TRUE(defaults.password.empty());

  RedisOptions password_only = parse_redis_url("redis://:p@ss%2Fword@[::1]:7000/");
  EXPECT_EQ(password_only.user, "");
  EXPECT_EQ(password_only.password, "p@ss/word");
  EXPECT_EQ(password_only.host, "::1");
  EXPECT_EQ(password_only.port, 7000);
  EXPECT_EQ(parse_redis_url("redis://legacy@host").password, "legacy");

  RedisOptions socket = parse_redis_url("unix://:pw@/run/redis%20x.sock?db=3");
  EXPECT_EQ(socket.unix_socket, "/run/redis x.sock");
  EXPECT_EQ(socket.password, "pw");
  EXPECT_EQ(socket.database, 3);
}

TEST(RedisUrl, RejectsMalformedUrlsWithoutRevealingThePassword) {
  for (const char* url : {"http://host", "rediss://host", "redis://", "redis://host:0", "redis://host:99999",
                          "redis://host:port", "redis://host/x", "redis://host/-1", "redis://host?db=1", "redis://[::1",
                          "redis://:secret%zz@host", "redis://:se/cret@host", "unix://host/tmp/r.sock", "unix:///",
                          "unix:///tmp/r.sock?db=x", "unix:///tmp/r.sock?timeout=1", "redis://host#x"}) {
    try {
      parse_redis_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("invalid redis URL"), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
    }
  }
}

TEST(RedisClient, SetGetDelExpireRoundTripThroughCoroutines) {
  RedisServer server;
  asio::io_context io;
  Client client(io, options_for(server));
  client.start();
  ASSERT_TRUE(wait_connected(io, client));

  std::vector<Reply> replies;
  bool finished = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<std::vector<std::string>> commands = {{"SET", "greeting", "hello\r\nworld"},
                                                          {"GET", "greeting"},
                                                          {"EXPIRE", "greeting", "100"},
                                                          {"TTL", "greeting"},
                                                          {"DEL", "greeting"},
                                                          {"GET", "greeting"}};
        for (std::vector<std::string>& command : commands) {
          Reply reply = co_await client.execute(std::move(command));
          replies.push_back(std::move(reply));
        }
        finished = true;
      },
      asio::detached);
  ASSERT_TRUE(run_until(io, [&] { return finished; }));
  ASSERT_EQ(replies.size(), 6u);
  EXPECT_EQ(replies[0].type, Reply::Type::status);
  EXPECT_EQ(replies[0].text, "OK");
  EXPECT_EQ(replies[1].type, Reply::Type::string);
  EXPECT_EQ(replies[1].text, "hello\r\nworld");
  EXPECT_EQ(replies[2].integer, 1);
  EXPECT_GT(replies[3].integer, 0);
  EXPECT_LE(replies[3].integer, 100);
  EXPECT_EQ(replies[4].integer, 1);
  EXPECT_TRUE(replies[5].is_nil());
}

TEST(RedisClient, ThousandPipelinedCommandsAreAnsweredInOrder) {
  RedisServer server;
  asio::io_context io;
  Client client(io, options_for(server));
  client.start();
  ASSERT_TRUE(wait_connected(io, client));

  constexpr int count = 1000;
  std::vector<std::int64_t> answers;
  std::vector<std::string> values;
  for (int index = 0; index < count; ++index) {
    client.command({"INCR", "counter"}, [&](std::exception_ptr error, Reply reply) {
      EXPECT_FALSE(error);
      answers.push_back(reply.integer);
    });
    client.command({"SET", "key" + std::to_string(index), std::string(index % 50, 'x') + std::to_string(index)},
                   [](std::exception_ptr error, Reply) { EXPECT_FALSE(error); });
    client.command({"GET", "key" + std::to_string(index)}, [&](std::exception_ptr error, Reply reply) {
      EXPECT_FALSE(error);
      values.push_back(reply.text);
    });
  }
  EXPECT_FALSE(answers.size() > 0) << "completions must not run inside command()";
  ASSERT_TRUE(run_until(io, [&] { return values.size() == count; }));
  ASSERT_EQ(answers.size(), static_cast<std::size_t>(count));
  for (int index = 0; index < count; ++index) {
    EXPECT_EQ(answers[index], index + 1);
    EXPECT_EQ(values[index], std::string(index % 50, 'x') + std::to_string(index));
  }
  ClientCounters counters = client.counters();
  EXPECT_EQ(counters.commands_sent, 3u * count);
  EXPECT_EQ(counters.commands_failed, 0u);
}

TEST(RedisClient, ErrorRepliesAreRepliesAndArrayRepliesKeepTheirShape) {
  RedisServer server;
  asio::io_context io;
  Client client(io, options_for(server));
  client.start();
  ASSERT_TRUE(wait_connected(io, client));

  ASSERT_FALSE(run(io, client, {"SET", "name", "not a number"}).error);
  Outcome failed = run(io, client, {"INCR", "name"});
  ASSERT_TRUE(failed.done);
  EXPECT_FALSE(failed.error) << "an error reply is not a transport failure";
  EXPECT_TRUE(failed.reply.is_error());
  EXPECT_NE(failed.reply.text.find("not an integer"), std::string::npos) << failed.reply.text;
  EXPECT_THROW(failed.reply.throw_if_error(), RedisError);

  ASSERT_FALSE(run(io, client, {"RPUSH", "list", "a", "b"}).error);
  Outcome list = run(io, client, {"LRANGE", "list", "0", "-1"});
  ASSERT_EQ(list.reply.type, Reply::Type::array);
  ASSERT_EQ(list.reply.elements.size(), 2u);
  EXPECT_EQ(list.reply.elements[1].text, "b");

  Outcome subscribe = run(io, client, {"subscribe", "news"});
  EXPECT_NE(subscribe.error_text().find("Subscriber"), std::string::npos);
  EXPECT_EQ(run(io, client, {"PING"}).reply.text, "PONG") << "the connection still works after a refusal";
}

TEST(RedisClient, AuthenticatesAndSelectsTheDatabaseOnConnect) {
  RedisServer server({"--requirepass", "sesame"});
  asio::io_context io;
  RedisOptions options = options_for(server);
  options.password = "sesame";
  options.database = 3;
  Client client(io, options);
  client.start();
  ASSERT_TRUE(wait_connected(io, client));
  ASSERT_FALSE(run(io, client, {"SET", "where", "three"}).error);
  EXPECT_EQ(server.cli("-a sesame --no-auth-warning -n 3 GET where"), "three\n");
  EXPECT_EQ(server.cli("-a sesame --no-auth-warning -n 0 EXISTS where"), "0\n");

  RedisOptions wrong = options_for(server);
  wrong.password = "guess";
  Client intruder(io, wrong);
  intruder.start();
  bool connected = run_until(
      io, [&] { return intruder.connected(); }, 500ms);
  EXPECT_FALSE(connected);
  Outcome refused = run(io, intruder, {"GET", "where"});
  EXPECT_NE(refused.error_text().find("not connected"), std::string::npos) << refused.error_text();
}

TEST(RedisClient, ConnectsOverAUnixSocketFromAUnixUrl) {
  std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("tachyon-redis-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  std::string socket = (directory / "redis.sock").string();
  {
    RedisServer server({"--unixsocket", socket, "--unixsocketperm", "700", "--requirepass", "se@me"});
    asio::io_context io;
    RedisOptions options = parse_redis_url("unix://:se@me@" + socket + "?db=2");
    ASSERT_EQ(options.unix_socket, socket);
    options.connect_timeout = 2s;
    options.command_timeout = 5s;
    Client client(io, options);
    client.start();
    ASSERT_TRUE(wait_connected(io, client));
    ASSERT_FALSE(run(io, client, {"SET", "over", "socket"}).error);
    EXPECT_EQ(server.cli("-a se@me --no-auth-warning -n 2 GET over"), "socket\n") << "written to database 2";
    client.stop();
  }
  std::filesystem::remove_all(directory);
}

TEST(RedisClient, CommandsFailAtOnceWhileTheServerIsDown) {
  std::optional<RedisServer> server(std::in_place);
  RedisOptions options = options_for(*server);
  server.reset();  // nothing listens on the port any more
  options.command_timeout = 60s;
  options.connect_timeout = 60s;
  asio::io_context io;
  Client client(io, options);
  client.start();
  for (int attempt = 0; attempt < 3; ++attempt) {
    Outcome outcome = run(io, client, {"GET", "anything"});
    ASSERT_TRUE(outcome.done) << "a command must not wait for the connection";
    EXPECT_NE(outcome.error_text().find("not connected"), std::string::npos) << outcome.error_text();
  }
  std::string thrown;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<std::string> command = {"GET", "anything"};
        try {
          co_await client.execute(std::move(command));
          thrown = "nothing";
        } catch (const RedisError& error) {
          thrown = error.what();
        }
      },
      asio::detached);
  ASSERT_TRUE(run_until(io, [&] { return !thrown.empty(); }));
  EXPECT_NE(thrown.find("not connected"), std::string::npos) << "execute() throws: " << thrown;
  EXPECT_FALSE(client.connected());
  EXPECT_EQ(client.counters().commands_failed, 4u);
  EXPECT_EQ(client.counters().commands_sent, 0u);
}

TEST(RedisClient, ReconnectsAfterTheServerIsKilledAndRestarted) {
  RedisServer server;
  asio::io_context io;
  Client client(io, options_for(server));
  client.start();
  ASSERT_TRUE(wait_connected(io, client));
  ASSERT_FALSE(run(io, client, {"SET", "before", "1"}).error);

  server.kill();
  ASSERT_TRUE(run_until(io, [&] { return !client.connected(); })) << "the loss must be noticed";
  EXPECT_TRUE(run(io, client, {"PING"}).error);

  server.start();
  ASSERT_TRUE(wait_connected(io, client)) << "the client must come back on its own";
  Outcome pong = run(io, client, {"PING"});
  EXPECT_FALSE(pong.error);
  EXPECT_EQ(pong.reply.text, "PONG");
  EXPECT_EQ(client.counters().reconnects, 1u);
}

TEST(RedisClient, InFlightCommandsFailWhenTheConnectionIsLost) {
  RedisServer server;
  asio::io_context io;
  Client client(io, options_for(server));
  client.start();
  ASSERT_TRUE(wait_connected(io, client));
  server.pause();  // the commands are written but never answered
  int failures = 0;
  for (int index = 0; index < 20; ++index) {
    client.command({"INCR", "n"}, [&](std::exception_ptr error, Reply) {
      if (error) ++failures;
    });
  }
  run_until(
      io, [] { return false; }, 50ms);
  server.kill();
  ASSERT_TRUE(run_until(io, [&] { return failures == 20; }));
  EXPECT_FALSE(client.connected());
}

TEST(RedisClient, ALateReplyFailsItsCommandAndIsDiscardedWhenItArrives) {
  RedisServer server;
  asio::io_context io;
  RedisOptions options = options_for(server);
  options.command_timeout = 500ms;  // the connection is given up only after 1 s without any reply
  Client client(io, options);
  client.start();
  ASSERT_TRUE(wait_connected(io, client));

  server.pause();
  Outcome late = run(io, client, {"SET", "slow", "eventually"});
  ASSERT_TRUE(late.done);
  EXPECT_NE(late.error_text().find("timed out"), std::string::npos) << late.error_text();
  server.resume();

  // The SET's reply ("OK") arrives now and must not be taken for the GET's.
  Outcome next = run(io, client, {"GET", "slow"});
  EXPECT_FALSE(next.error) << next.error_text();
  EXPECT_EQ(next.reply.type, Reply::Type::string);
  EXPECT_EQ(next.reply.text, "eventually");
  EXPECT_EQ(client.counters().commands_timed_out, 1u);
}

TEST(RedisClient, AStalledServerIsDroppedSoCommandsFailAtOnceUntilItAnswersAgain) {
  RedisServer server;
  asio::io_context io;
  RedisOptions options = options_for(server);
  options.command_timeout = 100ms;
  options.connect_timeout = 200ms;
  Client client(io, options);
  client.start();
  ASSERT_TRUE(wait_connected(io, client));

  server.pause();  // TCP stays up: only the missing replies tell
  Outcome stalled = run(io, client, {"PING"});
  EXPECT_NE(stalled.error_text().find("timed out"), std::string::npos) << stalled.error_text();
  ASSERT_TRUE(run_until(io, [&] { return !client.connected(); })) << "a connection without replies is dropped";
  Outcome refused = run(io, client, {"PING"});
  EXPECT_NE(refused.error_text().find("not connected"), std::string::npos) << refused.error_text();
  EXPECT_FALSE(run_until(
      io, [&] { return client.connected(); }, 300ms))
      << "the handshake needs an answer";

  server.resume();
  ASSERT_TRUE(wait_connected(io, client));
  EXPECT_EQ(run(io, client, {"PING"}).reply.text, "PONG");
}

TEST(RedisClient, StopAndDestructionWithCommandsInFlightFailThemCleanly) {
  RedisServer server;
  asio::io_context io;
  int failures = 0;
  int answers = 0;
  auto count = [&](std::exception_ptr error, Reply) { error ? ++failures : ++answers; };
  {
    Client client(io, options_for(server));
    client.start();
    ASSERT_TRUE(wait_connected(io, client));
    for (int index = 0; index < 100; ++index) client.command({"INCR", "n"}, count);
    client.stop();
    EXPECT_FALSE(client.connected());
    for (int index = 0; index < 100; ++index) client.command({"INCR", "n"}, count);
    client.start();
    ASSERT_TRUE(wait_connected(io, client)) << "start() after stop() connects again";
    for (int index = 0; index < 100; ++index) client.command({"INCR", "n"}, count);
  }  // destroyed with 100 commands written and unanswered
  ASSERT_TRUE(run_until(io, [&] { return failures + answers == 300; }));
  EXPECT_EQ(failures, 300);

  // A Client destroyed from inside its own completion.
  auto owned = std::make_unique<Client>(io, options_for(server));
  owned->start();
  ASSERT_TRUE(run_until(io, [&] { return owned->connected(); }));
  bool destroyed = false;
  owned->command({"PING"}, [&](std::exception_ptr, Reply) {
    owned.reset();
    destroyed = true;
  });
  owned->command({"PING"}, [](std::exception_ptr, Reply) {});
  EXPECT_TRUE(run_until(io, [&] { return destroyed; }));
}

TEST(RedisSubscriber, DeliversMessagesAndResubscribesAfterARestart) {
  RedisServer server;
  asio::io_context io;
  std::vector<std::pair<std::string, std::string>> messages;
  int reconnected = 0;
  Subscriber subscriber(
      io, options_for(server), {"prices", "stock"},
      [&](std::string_view channel, std::string_view payload) { messages.emplace_back(channel, payload); },
      [&] { ++reconnected; });
  subscriber.start();
  ASSERT_TRUE(run_until(io, [&] { return subscriber.connected(); }));

  Client publisher(io, options_for(server));
  publisher.start();
  ASSERT_TRUE(wait_connected(io, publisher));
  EXPECT_EQ(run(io, publisher, {"PUBLISH", "prices", "42"}).reply.integer, 1);
  EXPECT_EQ(run(io, publisher, {"PUBLISH", "stock", std::string("a\0b", 3)}).reply.integer, 1);
  EXPECT_EQ(run(io, publisher, {"PUBLISH", "elsewhere", "no"}).reply.integer, 0);
  ASSERT_TRUE(run_until(io, [&] { return messages.size() == 2; }));
  EXPECT_EQ(messages[0], std::make_pair(std::string("prices"), std::string("42")));
  EXPECT_EQ(messages[1], std::make_pair(std::string("stock"), std::string("a\0b", 3)));
  EXPECT_EQ(reconnected, 0);

  server.kill();
  ASSERT_TRUE(run_until(io, [&] { return !subscriber.connected(); }));
  server.start();
  ASSERT_TRUE(run_until(io, [&] { return reconnected == 1 && subscriber.connected(); }));
  ASSERT_TRUE(wait_connected(io, publisher));
  EXPECT_EQ(run(io, publisher, {"PUBLISH", "prices", "43"}).reply.integer, 1);
  ASSERT_TRUE(run_until(io, [&] { return messages.size() == 3; }));
  EXPECT_EQ(messages[2].second, "43");

  subscriber.stop();
  EXPECT_EQ(run(io, publisher, {"PUBLISH", "prices", "44"}).reply.integer, 0);
  run_until(
      io, [] { return false; }, 50ms);
  EXPECT_EQ(messages.size(), 3u) << "nothing is delivered after stop()";
}

}  // namespace
}  // namespace tachyon::redis
