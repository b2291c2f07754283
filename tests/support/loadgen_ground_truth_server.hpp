// A tiny HTTP/1.1 server for the load-generator tests: it answers every request after an exact
// delay, can freeze for a while mid-run (to expose coordinated omission), and counts what it did.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace tachyon::testing {

struct GroundTruthOptions {
  std::chrono::microseconds delay{0};  // between a request's arrival and writing its response
  bool chunked = false;                // answer with Transfer-Encoding: chunked
  // Every response due inside [first request + stall_after, + stall_for) waits until the window ends.
  std::chrono::milliseconds stall_after{0};
  std::chrono::milliseconds stall_for{0};
  // Login mode: POST /login with {"user":"NAME"} answers {"token":"tok-NAME"}; any other request
  // answers 200 with its Authorization header "Bearer tok-..." and 401 without.
  bool login = false;
};

class GroundTruthServer {
 public:
  explicit GroundTruthServer(GroundTruthOptions options);
  ~GroundTruthServer();
  GroundTruthServer(const GroundTruthServer&) = delete;
  GroundTruthServer& operator=(const GroundTruthServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::uint64_t responses() const { return responses_.load(); }
  // Server-side time from the kernel's receipt of each request (its receive timestamp) to finishing
  // its response, in microseconds.
  std::vector<std::int64_t> handling_times() const;
  std::set<std::string> logged_in_users() const;
  std::uint64_t unauthorized() const { return unauthorized_.load(); }
  std::set<std::string> authorized_paths() const;

 private:
  void accept_loop();
  void serve(int descriptor);
  void wait_out_stall();
  std::string login_response(const std::string& head, const std::string& body);

  GroundTruthOptions options_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> responses_{0};
  std::chrono::steady_clock::time_point first_request_{};
  std::once_flag first_request_flag_;
  mutable std::mutex mutex_;
  std::vector<std::int64_t> handling_times_;
  std::set<std::string> logged_in_users_;
  std::set<std::string> authorized_paths_;
  std::atomic<std::uint64_t> unauthorized_{0};
  std::vector<int> client_descriptors_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace tachyon::testing
