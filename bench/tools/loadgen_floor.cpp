// The floor under any load generator on this kernel: N keep-alive connections driven by one
// edge-triggered epoll loop that sends a fixed GET the moment the previous answer is complete,
// with no statistics, no timers and the least parsing that finds a response's end (blank line,
// Content-Length). bench/loadgen_vs_wrk.sh sets `tachyon bench` and wrk against it: what is left
// between the floor and a generator is the generator's own work per request.
//
// Usage: loadgen_floor HOST PORT PATH CONNECTIONS SECONDS   (prints "requests N"). One request
// per connection in flight, so one read returns at most one answer; meant for small answers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Link {
  int descriptor = -1;
  std::vector<char> input = std::vector<char>(16 * 1024);
  std::size_t filled = 0;
};

// Bytes of the first complete response in `data`, or 0 while it is incomplete.
std::size_t complete_response(std::string_view data) {
  std::size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return 0;
  std::string_view head = data.substr(0, head_end);
  std::size_t length = 0;
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos; line = head.find("\r\n", line + 2)) {
    if (head.size() - line > 17 && ::strncasecmp(head.data() + line + 2, "content-length:", 15) == 0) {
      length = std::strtoul(head.data() + line + 17, nullptr, 10);
      break;
    }
  }
  std::size_t total = head_end + 4 + length;
  return data.size() >= total ? total : 0;
}

}  // namespace

int main(int argument_count, char** arguments) {
  if (argument_count != 6) {
    std::fprintf(stderr, "usage: loadgen_floor HOST PORT PATH CONNECTIONS SECONDS\n");
    return 2;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(arguments[2])));
  if (::inet_pton(AF_INET, arguments[1], &address.sin_addr) != 1) return 2;
  const std::string request = std::string("GET ") + arguments[3] + " HTTP/1.1\r\nHost: " + arguments[1] + "\r\n\r\n";
  int connections = std::atoi(arguments[4]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(std::atof(arguments[5]));
  int epoll = ::epoll_create1(0);
  std::vector<Link> links(static_cast<std::size_t>(connections));
  for (std::size_t index = 0; index < links.size(); ++index) {
    int descriptor = ::socket(AF_INET, SOCK_STREAM, 0);
    int enable = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
    if (::connect(descriptor, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("loadgen_floor: connect");
      return 1;
    }
    links[index].descriptor = descriptor;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLET;
    event.data.u64 = index;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event);
    ::send(descriptor, request.data(), request.size(), MSG_NOSIGNAL);
  }
  std::uint64_t completed = 0;
  std::vector<epoll_event> events(256);
  while (std::chrono::steady_clock::now() < deadline) {
    int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    for (int position = 0; position < ready; ++position) {
      Link& link = links[events[static_cast<std::size_t>(position)].data.u64];
      ssize_t received = ::recv(link.descriptor, link.input.data() + link.filled, link.input.size() - link.filled, 0);
      if (received <= 0) {
        std::fprintf(stderr, "loadgen_floor: connection lost\n");
        return 1;
      }
      link.filled += static_cast<std::size_t>(received);
      if (link.filled == link.input.size()) link.input.resize(link.input.size() * 2);  // large answers
      std::size_t used = complete_response(std::string_view(link.input.data(), link.filled));
      if (used == 0) continue;
      ++completed;
      std::memmove(link.input.data(), link.input.data() + used, link.filled - used);
      link.filled -= used;
      ::send(link.descriptor, request.data(), request.size(), MSG_NOSIGNAL);
    }
  }
  std::printf("requests %llu\n", static_cast<unsigned long long>(completed));
  return 0;
}
