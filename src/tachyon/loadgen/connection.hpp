// One load-generator connection: a non-blocking socket (and its TLS session), its unsent bytes, its
// read buffer and the requests in flight on it (FIFO, since HTTP/1.1 answers in order). Owned by a
// single thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/http/response_parser.hpp"
#include "tachyon/loadgen/engine.hpp"
#include "tachyon/loadgen/scenario.hpp"

struct ssl_st;

namespace tachyon::loadgen {

struct InFlight {
  std::int64_t intended_us = 0;  // when the load model wanted it sent
  std::int64_t sent_us = 0;      // when it was handed to the socket
  std::size_t endpoint = 0;      // index into RunStats::endpoints (scenario runs)
};

struct Connection {
  int descriptor = -1;
  ssl_st* tls = nullptr;         // https: the TLS session over `descriptor`
  bool connecting = false;       // TCP connect in progress
  bool handshaking = false;      // TLS handshake in progress
  bool thinking = false;         // waiting out a think time before its next request
  std::uint64_t generation = 0;  // bumped on close, so a stale think-time wake-up is ignored
  std::size_t schedule = 0;      // its load group's index in the worker
  std::size_t first_endpoint = 0;
  bool watching_writable = false;
  bool available = false;  // listed in the thread's free-connection stack
  std::string unsent;
  std::size_t unsent_offset = 0;
  std::vector<char> input = std::vector<char>(16 * 1024);
  std::size_t input_begin = 0;
  std::size_t input_end = 0;
  std::deque<InFlight> in_flight;
  http::ResponseParser parser;
  std::int64_t reconnect_at_us = 0;
  std::unique_ptr<Session> session;  // scenario runs: this virtual user's variables, kept across reconnects
};

// Starts a non-blocking connect to `target`; returns the descriptor (connect may still be in
// progress) or -1.
int open_socket(const Target& target, bool& in_progress);

}  // namespace tachyon::loadgen
