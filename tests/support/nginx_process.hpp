// A real nginx for tests: started in the foreground (no daemon, no master) from a configuration the
// test writes, in a temporary directory of its own, on a free loopback port; stopped (and the directory
// removed) when this goes. Configurations name the directory DIRECTORY and the port PORT.
#pragma once

#include <cstdint>
#include <string>

namespace tachyon::testing {

class NginxProcess {
 public:
  // Throws std::runtime_error when nginx exits instead of listening (with its error log).
  explicit NginxProcess(std::string config_template);
  ~NginxProcess();
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
  std::uint16_t port_ = 0;
  int pid_ = -1;
};

}  // namespace tachyon::testing
