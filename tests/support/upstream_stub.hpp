// A small upstream API for tests: serves GET .../posts/{id} as JSON (ids 1 to 100, 404 otherwise) over
// HTTP or HTTPS on a loopback port, on its own Asio thread, and can be told to misbehave.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace tachyon::testing {

struct UpstreamStubOptions {
  // Both set: serve HTTPS with this PEM certificate (chain) and key.
  std::string certificate_file;
  std::string private_key_file;
};

class UpstreamStub {
 public:
  explicit UpstreamStub(UpstreamStubOptions options = {});
  ~UpstreamStub();
  UpstreamStub(const UpstreamStub&) = delete;
  UpstreamStub& operator=(const UpstreamStub&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" (or https).
  std::string url() const;

  // What /posts/{id} answers, so tests compare bodies exactly.
  static std::string post_json(int id);
  static std::string post_etag(int id);

  // Behaviour for requests read from now on (thread-safe).
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }  // before each response
  void set_chunked(bool chunked) { chunked_ = chunked; }  // Transfer-Encoding: chunked, in two chunks
  void set_close_after_response(bool close) { close_after_response_ = close; }  // Connection: close, then close
  // On a connection that has already answered `responses` requests, read the next request and close
  // without answering (an upstream closing an idle keep-alive connection as the request arrives).
  // 0 hangs up on every request; -1 (the default) never.
  void set_hang_up_after(std::int64_t responses) { hang_up_after_ = responses; }
  void set_truncate(bool truncate) { truncate_ = truncate; }  // send half of each response, then close
  // Closes the listener and every open connection: later connects are refused.
  void stop_listening();

  std::uint64_t accepted_connections() const { return accepted_.load(); }
  std::uint64_t requests() const { return requests_.load(); }
  // The head of the last request read, as received.
  std::string last_request() const;

 private:
  class Session;
  void start_accepting();
  std::string respond(const std::string& head, bool& close_after);
  void remember(const std::string& head);

  UpstreamStubOptions options_;
  std::atomic<std::int64_t> delay_ms_{0};
  std::atomic<bool> chunked_{false};
  std::atomic<bool> close_after_response_{false};
  std::atomic<std::int64_t> hang_up_after_{-1};
  std::atomic<bool> truncate_{false};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> requests_{0};
  mutable std::mutex mutex_;
  std::string last_request_;
  std::uint16_t port_ = 0;

  // Declared before the sockets so that they are destroyed after them.
  boost::asio::io_context io_{1};
  struct State;
  std::shared_ptr<State> state_;  // TLS context, acceptor and live sessions: touched only on the stub thread
  std::thread thread_;
};

}  // namespace tachyon::testing
