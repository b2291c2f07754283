#include "support/tls_nginx_server.hpp"

#include <fstream>
#include <stdexcept>

#include "support/test_server.hpp"

namespace tachyon::testing {

namespace {

constexpr const char* tls_config = R"(daemon off;
master_process off;
worker_processes 1;
pid DIRECTORY/nginx.pid;
error_log DIRECTORY/error.log;
events { worker_connections 256; }
http {
  access_log off;
  log_format names '$ssl_server_name $status $request_uri';
  client_body_temp_path DIRECTORY/body;
  server {
    listen 127.0.0.1:PORT ssl;
    ssl_certificate CERTS/cert.pem;
    ssl_certificate_key CERTS/key.pem;
    keepalive_requests 1000000;
    access_log DIRECTORY/access.log names;
    location = /status/201 { return 201 "created\n"; }
    location = /status/404 { return 404 "missing\n"; }
    location = /status/503 { return 503 "unavailable\n"; }
    location / { return 200 "ok\n"; }
  }
}
)";

// Makes a self-signed certificate in `directory` and returns the nginx configuration that uses it (nginx
// reads it at start, so it comes first).
std::string configuration_with_certificate(const std::string& directory) {
  std::string output;
  std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost "
      "-days 1 -keyout " +
      directory + "/key.pem -out " + directory + "/cert.pem";
  if (run_shell(command, output) != 0) throw std::runtime_error("openssl req failed: " + output);
  std::string config = tls_config;
  for (std::size_t at; (at = config.find("CERTS")) != std::string::npos;) config.replace(at, 5, directory);
  return config;
}

}  // namespace

TlsNginxServer::TlsNginxServer() : nginx_(configuration_with_certificate(certificates_.path().string())) {}

std::vector<std::string> TlsNginxServer::access_log() const {
  std::ifstream log(nginx_.directory() + "/access.log");
  std::vector<std::string> lines;
  for (std::string line; std::getline(log, line);) lines.push_back(line);
  return lines;
}

}  // namespace tachyon::testing
