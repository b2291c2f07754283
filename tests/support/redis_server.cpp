#include "support/redis_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <cstdio>
#include <stdexcept>
#include <thread>

namespace tachyon::testing {

namespace {

using namespace std::chrono_literals;

std::uint16_t free_loopback_port() {
  int descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(descriptor);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(descriptor);
  return ntohs(address.sin_port);
}

// True when something on the port answers an inline PING with any reply (+PONG, or -NOAUTH).
bool answers(std::uint16_t port) {
  int descriptor = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool answered = false;
  if (::connect(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(descriptor, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
    pollfd waiting{descriptor, POLLIN, 0};
    char byte;
    answered = ::poll(&waiting, 1, 500) == 1 && ::recv(descriptor, &byte, 1, 0) == 1;
  }
  ::close(descriptor);
  return answered;
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> extra_arguments)
    : extra_arguments_(std::move(extra_arguments)), port_(free_loopback_port()) {
  start();
}

RedisServer::~RedisServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // a paused server cannot handle SIGTERM
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) return;  // reaped: the pid must not be signalled again
    std::this_thread::sleep_for(10ms);
  }
  kill();
}

void RedisServer::start() {
  if (pid_ > 0) return;
  std::vector<std::string> arguments = {
      "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1", "--save", "",
      "--appendonly", "no",     "--daemonize",         "no",     "--dir",     "/tmp",   "--loglevel",
      "warning"};
  arguments.insert(arguments.end(), extra_arguments_.begin(), extra_arguments_.end());
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a test process that crashes takes its redis-server with it
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    std::vector<char*> argv;
    for (std::string& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    ::execvp("redis-server", argv.data());
    ::_exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start (is it installed? scripts/packages.txt, test group)");
    }
    if (answers(port_)) return;
    std::this_thread::sleep_for(10ms);
  }
  kill();
  throw std::runtime_error("redis-server did not answer within 10 s");
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string RedisServer::cli(const std::string& arguments) const {
  std::string command = "redis-cli -p " + std::to_string(port_) + " " + arguments + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  for (std::size_t read; (read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, read);
  ::pclose(pipe);
  return output;
}

}  // namespace tachyon::testing
