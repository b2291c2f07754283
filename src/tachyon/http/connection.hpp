// Internal to http/: one client connection, served by one coroutine from accept to close. Reads into a
// pooled buffer, parses requests in place, runs the pipeline, renders responses into one output buffer
// and writes each batch of pipelined responses with a single write.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <string>

#include "tachyon/http/buffer.hpp"
#include "tachyon/http/request.hpp"
#include "tachyon/http/request_parser.hpp"
#include "tachyon/http/response.hpp"
#include "tachyon/http/transport.hpp"

namespace tachyon::http {

class Worker;

class Connection {
 public:
  // What the connection waits for; each phase has its own deadline (see ServerOptions).
  enum class Phase { idle, reading_head, reading_body, handling, writing, lingering };

  // `tls`: the listener's TLS context, null for plain HTTP.
  Connection(Worker& worker, boost::asio::ip::tcp::socket socket, SSL_CTX* tls);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  boost::asio::awaitable<void> serve();

  // For the worker's sweep.
  Phase phase() const { return phase_; }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  void expire();
  std::size_t registry_index = 0;

 private:
  enum class ReadResult { data, closed, timed_out };
  class StreamWriter;

  boost::asio::awaitable<ReadResult> read_more(Phase phase);
  boost::asio::awaitable<bool> flush_output();
  boost::asio::awaitable<bool> read_body();
  boost::asio::awaitable<void> handle_request();
  // Runs the response's producer; false when the connection must close (client gone, producer failed).
  boost::asio::awaitable<bool> stream_body(Framing framing);
  boost::asio::awaitable<void> send_error_and_close(int status, std::string_view detail);
  boost::asio::awaitable<void> linger_and_close();
  void enter(Phase phase, std::chrono::milliseconds timeout);
  std::chrono::milliseconds timeout_for(Phase phase) const;
  bool reparse_head_if_moved(const char* head_start);

  Worker& worker_;
  Transport transport_;
  ByteBuffer input_;
  ByteBuffer output_;
  HeadParser head_parser_;
  ChunkedDecoder chunked_decoder_;
  Request request_;
  Response response_;
  std::string client_address_;
  std::string client_certificate_;  // the verified client certificate's name; empty for none
  std::string request_id_;
  Phase phase_ = Phase::idle;
  std::chrono::steady_clock::time_point deadline_{};
  std::size_t message_length_ = 0;  // head + body bytes of the current request in input_
  std::size_t requests_served_ = 0;
  bool timed_out_ = false;
};

}  // namespace tachyon::http
