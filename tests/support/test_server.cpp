#include "support/test_server.hpp"

#include "support/child_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tachyon::testing {

namespace {

// `tachyon <arguments>` with the test defaults: TACHYON_ENV_FILE pointing at nothing (a developer's .env
// never leaks into a test), and a throwaway database without demo data unless the test names them.
ChildSpec tachyon_child(const std::vector<std::string>& arguments,
                        const std::map<std::string, std::string>& environment) {
  ChildSpec spec;
  spec.arguments = {TACHYON_BINARY};
  spec.arguments.insert(spec.arguments.end(), arguments.begin(), arguments.end());
  spec.environment = {{"TACHYON_ENV_FILE", ""}, {"DATABASE_URL", "sqlite::memory:"}, {"TACHYON_DEMO_DATA", "false"}};
  for (const auto& [name, value] : environment) spec.environment[name] = value;
  spec.death_signal = SIGTERM;  // a test process that crashes takes its servers with it
  return spec;
}

// The port from the startup line `"msg":"listening","url":"http://127.0.0.1:PORT"`.
std::optional<std::uint16_t> listening_port(const std::string& output) {
  constexpr std::string_view marker = R"("msg":"listening","url":")";
  std::size_t start = output.find(marker);
  if (start == std::string::npos) return std::nullopt;
  std::size_t url_end = output.find('"', start + marker.size());
  if (url_end == std::string::npos) return std::nullopt;
  std::size_t colon = output.rfind(':', url_end);
  return static_cast<std::uint16_t>(std::stoi(output.substr(colon + 1, url_end - colon - 1)));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

CommandResult run_tachyon(const std::vector<std::string>& arguments,
                          const std::map<std::string, std::string>& environment, std::chrono::milliseconds timeout,
                          const std::string& standard_input) {
  ChildRun run = run_child(tachyon_child(arguments, environment), standard_input, timeout);
  CommandResult result{run.exit_code, std::move(run.standard_output), std::move(run.standard_error)};
  if (run.timed_out) {
    ADD_FAILURE() << "tachyon did not finish within " << timeout.count() << " ms and was killed; its threads:\n"
                  << run.state_at_timeout << "stdout:\n"
                  << result.standard_output << "\nstderr:\n"
                  << result.standard_error;
  }
  return result;
}

int run_shell(const std::string& command, std::string& output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  for (std::size_t read; (read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, read);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool have_program(const std::string& name) {
  std::string ignored;
  return run_shell("command -v " + name, ignored) == 0;
}

ServerProcess::ServerProcess(std::vector<std::string> flags, std::map<std::string, std::string> environment) {
  std::vector<std::string> arguments = {"serve", "--port", "0"};
  if (std::find(flags.begin(), flags.end(), "--workers") == flags.end()) {
    arguments.insert(arguments.end(), {"--workers", "1"});
  }
  if (std::find(flags.begin(), flags.end(), "--access-log") == flags.end()) {
    arguments.insert(arguments.end(), {"--access-log", "false"});
  }
  arguments.insert(arguments.end(), flags.begin(), flags.end());
  int output_pipe[2];
  if (::pipe2(output_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  ChildSpec spec = tachyon_child(arguments, environment);
  spec.standard_output = output_pipe[1];
  pid_ = start_child(spec);
  ::close(output_pipe[1]);
  reader_ = std::thread([this, descriptor = output_pipe[0]] { read_output(descriptor); });

  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = output();
    if (auto port = listening_port(text)) {
      port_ = *port;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = decode_wait_status(status);
      throw std::runtime_error("tachyon exited before listening: " + text);
    }
    std::this_thread::sleep_for(10ms);
  }
  throw std::runtime_error("tachyon did not start listening: " + output());
}

ServerProcess::~ServerProcess() {
  if (!exit_code_) {
    send_signal(SIGTERM);
    // Every server must drain and exit 0: this also catches sanitizer reports (they exit non-zero).
    int exit_code = wait_for_exit(15s);  // kills it when it does not stop in time
    if (exit_code != 0) ADD_FAILURE() << "tachyon exited with " << exit_code << " after SIGTERM; output:\n" << output();
  }
  if (reader_.joinable()) reader_.join();
}

void ServerProcess::send_signal(int signal_number) const {
  if (!exit_code_) ::kill(pid_, signal_number);
}

int ServerProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  exit_code_ = decode_wait_status(status);
  return *exit_code_;
}

std::uint16_t ServerProcess::wait_for_https_port() const {
  constexpr std::string_view marker = R"("msg":"listening","url":"https://127.0.0.1:)";
  std::string text = wait_for_output(marker);
  std::size_t at = text.find(marker);
  if (at == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
}

std::string ServerProcess::wait_for_output(std::string_view text, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen = output();
  while (seen.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    seen = output();
  }
  return seen;
}

std::string ServerProcess::output() const {
  std::lock_guard lock(output_mutex_);
  return output_;
}

void ServerProcess::read_output(int descriptor) {
  char chunk[4096];
  for (;;) {
    ssize_t received = ::read(descriptor, chunk, sizeof chunk);
    if (received < 0 && errno == EINTR) continue;
    if (received <= 0) break;
    std::lock_guard lock(output_mutex_);
    output_.append(chunk, static_cast<std::size_t>(received));
  }
  ::close(descriptor);
}

std::string HttpResponse::header(const std::string& lower_case_name) const {
  auto found = headers.find(lower_case_name);
  return found == headers.end() ? std::string() : found->second;
}

RawClient::RawClient(std::uint16_t port) {
  descriptor_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(descriptor_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(descriptor_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

void RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(descriptor_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

bool RawClient::fill(std::chrono::steady_clock::time_point deadline) {
  if (peer_closed_) return false;
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) return false;
  pollfd waiting{descriptor_, POLLIN, 0};
  if (::poll(&waiting, 1, static_cast<int>(remaining.count())) <= 0) return false;
  char chunk[16384];
  ssize_t received = ::recv(descriptor_, chunk, sizeof chunk, 0);
  if (received <= 0) {
    peer_closed_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(received));
  return true;
}

std::optional<HttpResponse> RawClient::read_response(std::chrono::milliseconds timeout, bool head_request) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  HttpResponse response;
  std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 9, "HTTP/1.1 ") != 0) return std::nullopt;
  response.status = std::stoi(status_line.substr(9, 3));
  response.reason = status_line.size() > 13 ? status_line.substr(13) : "";
  std::size_t position = line_end == std::string::npos ? head.size() : line_end + 2;
  while (position < head.size()) {
    std::size_t next = head.find("\r\n", position);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(position, next - position);
    std::size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    response.headers.emplace(lower(line.substr(0, colon)), value);
    position = next + 2;
  }
  bool no_body = head_request || response.status == 204 || response.status == 304 || response.status < 200;
  if (no_body) return response;
  if (response.has_header("content-length")) {
    std::size_t length = std::stoul(response.header("content-length"));
    while (buffer_.size() < length) {
      if (!fill(deadline)) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }
  if (response.header("transfer-encoding") == "chunked") {
    // RFC 9112 §7.1: hex size line, data, CRLF, ... a zero-size chunk and (no) trailers. A connection that
    // ends before the last chunk is no response at all: a truncated body must never pass for a whole one.
    for (;;) {
      std::size_t size_end;
      while ((size_end = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill(deadline)) return std::nullopt;
      }
      std::size_t size = std::stoul(buffer_.substr(0, size_end), nullptr, 16);
      while (buffer_.size() < size_end + 2 + size + 2) {
        if (!fill(deadline)) return std::nullopt;
      }
      if (buffer_.compare(size_end + 2 + size, 2, "\r\n") != 0) return std::nullopt;
      response.body.append(buffer_, size_end + 2, size);
      buffer_.erase(0, size_end + 2 + size + 2);
      if (size == 0) return response;
    }
  }
  while (fill(deadline)) {
  }
  response.body = std::move(buffer_);
  buffer_.clear();
  return response;
}

bool RawClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!peer_closed_) {
    if (!fill(deadline) && !peer_closed_) return false;
    buffer_.clear();
  }
  return true;
}

bool RawClient::is_open() {
  if (peer_closed_) return false;
  pollfd waiting{descriptor_, POLLIN, 0};
  if (::poll(&waiting, 1, 0) <= 0) return true;
  char byte;
  ssize_t received = ::recv(descriptor_, &byte, 1, MSG_PEEK);
  return received > 0;
}

std::optional<HttpResponse> request(std::uint16_t port, std::string_view raw_request,
                                    std::chrono::milliseconds timeout) {
  RawClient client(port);
  client.send(raw_request);
  return client.read_response(timeout, raw_request.substr(0, 5) == "HEAD ");
}

std::string get_request(std::string_view path, std::string_view extra_headers) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

std::string post_request(std::string_view path, std::string_view body, std::string_view content_type,
                         std::string_view extra_headers) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + std::string(extra_headers) + "\r\n" +
         std::string(body);
}

}  // namespace tachyon::testing
