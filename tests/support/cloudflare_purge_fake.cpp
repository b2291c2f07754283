#include "support/cloudflare_purge_fake.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace tachyon::testing {

namespace {

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& character : result) character = static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
  return result;
}

// The value of header `name` (lower case) in `head`, or "" when absent.
std::string header_value(const std::string& head, std::string_view name) {
  std::string folded = lower(head);
  std::string needle = "\r\n" + std::string(name) + ":";
  std::size_t at = folded.find(needle);
  if (at == std::string::npos) return "";
  std::size_t start = at + needle.size();
  std::size_t end = head.find("\r\n", start);
  std::string value = head.substr(start, end - start);
  while (!value.empty() && value.front() == ' ') value.erase(0, 1);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

std::string answer(int status, std::string_view reason, const std::string& body, std::string_view extra = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + body;
}

std::string error_envelope(int code, std::string_view message) {
  return R"({"success":false,"errors":[{"code":)" + std::to_string(code) + R"(,"message":")" + std::string(message) +
         R"("}],"messages":[],"result":null})";
}

}  // namespace

CloudflarePurgeFake::CloudflarePurgeFake(std::string zone, std::string token)
    : zone_(std::move(zone)), token_(std::move(token)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("cannot open the fake's socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(listener_);
    throw std::runtime_error("cannot listen on loopback for the fake");
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

CloudflarePurgeFake::~CloudflarePurgeFake() {
  stopping_ = true;
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int socket : open_sockets_) ::shutdown(socket, SHUT_RDWR);
  }
  for (std::thread& session : sessions_) session.join();
  ::close(listener_);
}

std::string CloudflarePurgeFake::purge_url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/client/v4/zones/" + zone_ + "/purge_cache";
}

void CloudflarePurgeFake::fail_next(int count, int status) {
  std::lock_guard lock(mutex_);
  failures_left_ = count;
  failure_status_ = status;
}

std::vector<std::vector<std::string>> CloudflarePurgeFake::purges() const {
  std::lock_guard lock(mutex_);
  return purges_;
}

std::vector<std::string> CloudflarePurgeFake::purged_tags() const {
  std::vector<std::string> tags;
  for (const std::vector<std::string>& purge : purges()) tags.insert(tags.end(), purge.begin(), purge.end());
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

bool CloudflarePurgeFake::wait_for_purges(std::size_t count, int timeout_ms) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (purges().size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return purges().size() >= count;
}

void CloudflarePurgeFake::accept_loop() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;
    int socket = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (socket < 0) continue;
    std::lock_guard lock(mutex_);
    open_sockets_.push_back(socket);
    sessions_.emplace_back([this, socket] { serve(socket); });
  }
}

void CloudflarePurgeFake::serve(int socket) {
  std::string buffer;
  while (true) {
    std::size_t head_end = buffer.find("\r\n\r\n");
    std::size_t wanted = 0;
    if (head_end != std::string::npos) {
      std::string length = header_value(buffer.substr(0, head_end + 2), "content-length");
      wanted = head_end + 4 + (length.empty() ? 0 : std::stoul(length));
    }
    if (head_end == std::string::npos || buffer.size() < wanted) {
      char chunk[4096];
      ssize_t received = ::recv(socket, chunk, sizeof chunk, 0);
      if (received <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(received));
      continue;
    }
    std::string head = buffer.substr(0, head_end + 2);
    std::string body = buffer.substr(head_end + 4, wanted - head_end - 4);
    buffer.erase(0, wanted);
    ++calls_;
    std::string response = respond(head, body);
    if (::send(socket, response.data(), response.size(), MSG_NOSIGNAL) < 0) break;
  }
  std::lock_guard lock(mutex_);
  open_sockets_.erase(std::find(open_sockets_.begin(), open_sockets_.end(), socket));
  ::close(socket);
}

std::string CloudflarePurgeFake::respond(const std::string& head, const std::string& body) {
  std::string expected_line = "POST /client/v4/zones/" + zone_ + "/purge_cache HTTP/1.1\r\n";
  auto refuse = [this](int status, std::string_view reason, int code, std::string_view message) {
    ++refused_;
    return answer(status, reason, error_envelope(code, message));
  };
  if (!head.starts_with(expected_line)) return refuse(404, "Not Found", 7003, "Could not route to the path");
  if (header_value(head, "authorization") != "Bearer " + token_) {
    return refuse(403, "Forbidden", 10000, "Authentication error");
  }
  if (lower(header_value(head, "content-type")) != "application/json") {
    return refuse(400, "Bad Request", 6003, "Invalid request headers");
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body).get(object)) return refuse(400, "Bad Request", 6007, "Malformed JSON in request body");
  std::vector<std::string> tags;
  bool only_tags = true;
  for (auto [key, value] : object) {
    if (key != "tags") {
      only_tags = false;
      continue;
    }
    simdjson::dom::array list;
    if (value.get(list)) return refuse(400, "Bad Request", 1012, "tags must be an array of strings");
    for (simdjson::dom::element tag : list) {
      std::string_view text;
      if (tag.get(text) || text.empty()) return refuse(400, "Bad Request", 1012, "tags must be non-empty strings");
      tags.emplace_back(text);
    }
  }
  if (!only_tags || tags.empty()) return refuse(400, "Bad Request", 1012, "Request must contain only tags");
  if (tags.size() > 30) return refuse(400, "Bad Request", 1080, "Too many tags: at most 30 per request");
  {
    std::lock_guard lock(mutex_);
    if (failures_left_ > 0) {
      --failures_left_;
      if (failure_status_ == 429) {
        return answer(429, "Too Many Requests",
                      error_envelope(971, "Please wait and consider throttling your request speed"),
                      "Retry-After: 1\r\n");
      }
      return answer(failure_status_, "Service Unavailable", error_envelope(10001, "service temporarily unavailable"));
    }
    purges_.push_back(tags);
  }
  return answer(200, "OK", R"({"success":true,"errors":[],"messages":[],"result":{"id":")" + zone_ + R"("}})");
}

}  // namespace tachyon::testing
