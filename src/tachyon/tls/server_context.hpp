// The TLS configuration of the HTTPS listener: one OpenSSL SSL_CTX with a certificate chain and its key,
// TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers and groups (server-side recommendations v5.7),
// ALPN `http/1.1`, no renegotiation, no compression, session resumption by the built-in session cache
// and stateless tickets.
//
// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be read, the key does
// not match the certificate, or a setting is refused; the reason never contains key material.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>

namespace tachyon::tls {

struct ServerContextOptions {
  std::string certificate_file;  // PEM: the leaf first, then its intermediates
  std::string private_key_file;  // PEM, unencrypted
};

class ServerContext {
 public:
  explicit ServerContext(const ServerContextOptions& options);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  SSL_CTX* native() const { return context_; }

 private:
  SSL_CTX* context_ = nullptr;
};

}  // namespace tachyon::tls
