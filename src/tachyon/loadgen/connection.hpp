// One load-generator connection: a non-blocking socket, its unsent bytes, its read buffer and the
// requests in flight on it (FIFO, since HTTP/1.1 answers in order). Owned by a single thread.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/loadgen/engine.hpp"
#include "tachyon/loadgen/response_parser.hpp"
#include "tachyon/loadgen/scenario.hpp"

namespace tachyon::loadgen {

struct InFlight {
  std::int64_t intended_us = 0;  // when the load model wanted it sent
  std::int64_t sent_us = 0;      // when it was handed to the socket
  std::size_t endpoint = 0;      // scenario request index
};

struct Connection {
  int descriptor = -1;
  bool connecting = false;
  bool watching_writable = false;
  bool available = false;  // listed in the thread's free-connection stack
  std::string unsent;
  std::size_t unsent_offset = 0;
  std::vector<char> input = std::vector<char>(16 * 1024);
  std::size_t input_begin = 0;
  std::size_t input_end = 0;
  std::deque<InFlight> in_flight;
  ResponseParser parser;
  std::int64_t reconnect_at_us = 0;
  std::unique_ptr<Session> session;  // scenario runs: this virtual user's variables, kept across reconnects
};

// Starts a non-blocking connect to `target`; returns the descriptor (connect may still be in
// progress) or -1.
int open_socket(const Target& target, bool& in_progress);

}  // namespace tachyon::loadgen
