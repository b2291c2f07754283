#include "support/loadgen_ground_truth_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "tachyon/loadgen/arrival_clock.hpp"

namespace tachyon::testing {

GroundTruthServer::GroundTruthServer(GroundTruthOptions options) : options_(options) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 1024) != 0) {
    throw std::runtime_error("ground-truth server cannot listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

GroundTruthServer::~GroundTruthServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int descriptor : client_descriptors_) ::shutdown(descriptor, SHUT_RDWR);
  }
  for (auto& thread : threads_) thread.join();
  for (int descriptor : client_descriptors_) ::close(descriptor);
  ::close(listener_);
}

std::vector<std::int64_t> GroundTruthServer::handling_times() const {
  std::lock_guard lock(mutex_);
  return handling_times_;
}

std::set<std::string> GroundTruthServer::logged_in_users() const {
  std::lock_guard lock(mutex_);
  return logged_in_users_;
}

std::set<std::string> GroundTruthServer::authorized_paths() const {
  std::lock_guard lock(mutex_);
  return authorized_paths_;
}

namespace {

std::string text_between(const std::string& text, const std::string& before, const std::string& after) {
  std::size_t start = text.find(before);
  if (start == std::string::npos) return {};
  start += before.size();
  std::size_t end = text.find(after, start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}

std::string json_response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Unauthorized") +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

std::string GroundTruthServer::login_response(const std::string& head, const std::string& body) {
  std::lock_guard lock(mutex_);
  if (head.rfind("POST /login ", 0) == 0) {
    std::string user = text_between(body, "\"user\":\"", "\"");
    logged_in_users_.insert(user);
    return json_response(200, "{\"ok\":true,\"token\":\"tok-" + user + "\"}");
  }
  if (head.find("\r\nAuthorization: Bearer tok-") == std::string::npos) {
    ++unauthorized_;
    return json_response(401, "{}");
  }
  authorized_paths_.insert(text_between(head, " ", " HTTP/1.1"));
  return json_response(200, "{}");
}

void GroundTruthServer::accept_loop() {
  while (!stopping_) {
    pollfd waiting{listener_, POLLIN, 0};
    if (::poll(&waiting, 1, 50) <= 0) continue;
    int descriptor = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (descriptor < 0) continue;
    int enable = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
    loadgen::enable_receive_timestamps(descriptor);
    std::lock_guard lock(mutex_);
    client_descriptors_.push_back(descriptor);
    threads_.emplace_back([this, descriptor] { serve(descriptor); });
  }
}

void GroundTruthServer::wait_out_stall() {
  if (options_.stall_for.count() == 0) return;
  auto stall_start = first_request_ + options_.stall_after;
  auto stall_end = stall_start + options_.stall_for;
  auto now = std::chrono::steady_clock::now();
  if (now >= stall_start && now < stall_end) std::this_thread::sleep_until(stall_end);
}

void GroundTruthServer::serve(int descriptor) {
  // The delay is exact only without the default 50 us timer slack.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  // A request arrives when the kernel received its last bytes, not when this thread woke up to
  // read them: the server's own time then includes its wake-up, as a client sees it.
  loadgen::ArrivalClock arrival_clock{std::chrono::steady_clock::time_point{}};
  auto last_resync = std::chrono::steady_clock::now();
  std::string buffer;
  char chunk[16 * 1024];
  const std::string response =
      options_.chunked ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                       : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde";
  while (!stopping_) {
    std::int64_t stamp_ns = 0;
    ssize_t received = loadgen::receive_stamped(descriptor, chunk, sizeof chunk, stamp_ns);
    if (received <= 0) break;
    auto read_at = std::chrono::steady_clock::now();
    if (read_at - last_resync > std::chrono::seconds(1)) {
      arrival_clock.resync();
      last_resync = read_at;
    }
    std::int64_t read_at_us = std::chrono::duration_cast<std::chrono::microseconds>(read_at.time_since_epoch()).count();
    std::chrono::steady_clock::time_point received_at(
        std::chrono::microseconds(arrival_clock.to_steady_us(stamp_ns, read_at_us - 1'000'000, read_at_us)));
    buffer.append(chunk, static_cast<std::size_t>(received));
    std::size_t end = 0;
    // Each request ends at its blank line plus its Content-Length, if any.
    while ((end = buffer.find("\r\n\r\n")) != std::string::npos) {
      std::string head = buffer.substr(0, end + 2);
      std::string length_text = text_between(head, "\r\nContent-Length: ", "\r\n");
      std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
      if (buffer.size() < end + 4 + length) break;
      std::string body = buffer.substr(end + 4, length);
      auto arrived = received_at;
      std::call_once(first_request_flag_, [&] { first_request_ = arrived; });
      buffer.erase(0, end + 4 + length);
      std::this_thread::sleep_until(arrived + options_.delay);
      wait_out_stall();
      const std::string answer = options_.login ? login_response(head, body) : response;
      // Counted before the send: a client may read the answer, finish and ask for the count before this
      // thread runs again.
      ++responses_;
      if (::send(descriptor, answer.data(), answer.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(answer.size())) {
        --responses_;
        break;
      }
      auto finished = std::chrono::steady_clock::now();
      std::lock_guard lock(mutex_);
      handling_times_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(finished - arrived).count());
    }
  }
  ::shutdown(descriptor, SHUT_RDWR);
}

}  // namespace tachyon::testing
