// A real nginx with TLS on a free loopback port, for the load-generator tests: a self-signed
// certificate made with `openssl req` at start, an access log of "server-name status uri" lines,
// /status/201, /status/404 and /status/503 answering that status, every other path 200.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/acme_support.hpp"
#include "support/nginx_process.hpp"

namespace tachyon::testing {

class TlsNginxServer {
 public:
  TlsNginxServer();  // throws std::runtime_error when openssl or nginx fails
  TlsNginxServer(const TlsNginxServer&) = delete;
  TlsNginxServer& operator=(const TlsNginxServer&) = delete;

  std::uint16_t port() const { return nginx_.port(); }
  // The access log's lines so far: "$ssl_server_name $status $request_uri" ("-" for no SNI).
  std::vector<std::string> access_log() const;

 private:
  TemporaryDirectory certificates_;  // before nginx_: made first, removed last
  NginxProcess nginx_;
};

}  // namespace tachyon::testing
