// Test support: a real `redis-server` on a free loopback port (no persistence), which a test can kill,
// restart on the same port, pause and resume.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::testing {

class RedisServer {
 public:
  // Picks a free port and starts the server with `extra_arguments` (e.g. {"--requirepass", "secret"}).
  explicit RedisServer(std::vector<std::string> extra_arguments = {});
  ~RedisServer();  // stops it
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }
  // Starts it (again) on the same port and waits until it answers; throws when it does not in 10 s.
  void start();
  // SIGKILL, then waits for the process: connections drop as if the host had died.
  void kill();
  // SIGSTOP / SIGCONT: the server keeps its sockets but answers nothing while paused.
  void pause();
  void resume();
  // Runs `redis-cli -p PORT <arguments>`; returns its output (stdout and stderr).
  std::string cli(const std::string& arguments) const;

 private:
  std::vector<std::string> extra_arguments_;
  std::uint16_t port_ = 0;
  int pid_ = -1;
};

}  // namespace tachyon::testing
