#include "tachyon/loadgen/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tachyon::loadgen {

int open_socket(const Target& target, bool& in_progress) {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET;
  if (!target.unix_path.empty()) {
    auto* unix_address = reinterpret_cast<sockaddr_un*>(&address);
    if (target.unix_path.size() >= sizeof unix_address->sun_path) return -1;
    unix_address->sun_family = AF_UNIX;
    std::memcpy(unix_address->sun_path, target.unix_path.c_str(), target.unix_path.size() + 1);
    length = sizeof(sockaddr_un);
    family = AF_UNIX;
  } else if (target.host.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(target.port);
    if (::inet_pton(AF_INET6, target.host.c_str(), &v6->sin6_addr) != 1) return -1;
    length = sizeof(sockaddr_in6);
    family = AF_INET6;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(target.port);
    if (::inet_pton(AF_INET, target.host.c_str(), &v4->sin_addr) != 1) return -1;
    length = sizeof(sockaddr_in);
  }
  int descriptor = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (descriptor < 0) return -1;
  if (family != AF_UNIX) {
    // Requests are small and latency is the measurement: never let Nagle hold one back.
    int enable = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &enable, sizeof enable);
  }
  in_progress = false;
  if (::connect(descriptor, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      ::close(descriptor);
      return -1;
    }
    in_progress = true;
  }
  return descriptor;
}

}  // namespace tachyon::loadgen
