#include "support/nginx_process.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace tachyon::testing {
namespace {

std::uint16_t free_port() {
  int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(probe);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(probe);
  return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port) {
  int probe = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  bool connected = ::connect(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(probe);
  return connected;
}

}  // namespace

NginxProcess::NginxProcess(std::string config) {
  char pattern[] = "/tmp/tachyon_nginx_XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  // The port is probed free and handed to nginx; a clash with another process only fails the start.
  port_ = free_port();
  for (std::size_t at; (at = config.find("DIRECTORY")) != std::string::npos;) config.replace(at, 9, directory_);
  for (std::size_t at; (at = config.find("PORT")) != std::string::npos;) config.replace(at, 4, std::to_string(port_));
  std::ofstream(directory_ + "/nginx.conf") << config;
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a test process that crashes takes its nginx with it
    std::string prefix = directory_ + "/";
    std::string config = directory_ + "/nginx.conf";
    std::string error_log = directory_ + "/error.log";
    ::execlp("nginx", "nginx", "-p", prefix.c_str(), "-e", error_log.c_str(), "-c", config.c_str(), nullptr);
    ::_exit(127);
  }
  for (int attempt = 0; attempt < 200 && !accepts_connections(port_); ++attempt) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      std::ifstream log(directory_ + "/error.log");
      std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      throw std::runtime_error("nginx exited: " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

NginxProcess::~NginxProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int attempt = 0; attempt < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

}  // namespace tachyon::testing
