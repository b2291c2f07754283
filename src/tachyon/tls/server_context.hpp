// The TLS configuration of the HTTPS listener: one OpenSSL SSL_CTX with a certificate chain and its key,
// TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers and groups (server-side recommendations v5.7)
// in the server's order, ALPN `http/1.1`, no renegotiation, no compression, session resumption by the
// built-in session cache and stateless tickets.
//
// Certificates and keys reload on SIGHUP (ReloadableContext): new handshakes use the new files, open
// connections keep theirs, and a bad new file keeps the old context.
//
// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be read, the key does
// not match the certificate, or a setting is refused; the reason never contains key material.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tachyon::tls {

struct ServerContextOptions {
  std::string certificate_file;  // PEM: the leaf first, then its intermediates
  std::string private_key_file;  // PEM, unencrypted
};

class ServerContext;

// The listener's current ServerContext, replaced by reload() (SIGHUP) without touching open connections:
// each connection's SSL holds its own reference to the context it started with.
class ReloadableContext {
 public:
  explicit ReloadableContext(ServerContextOptions options);  // throws as ServerContext does
  std::shared_ptr<const ServerContext> current() const;
  // Reads the files again; on failure keeps the current context and returns why.
  std::optional<std::string> reload();

 private:
  ServerContextOptions options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ServerContext> current_;
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
