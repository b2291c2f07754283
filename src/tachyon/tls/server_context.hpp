// The TLS configuration of the HTTPS listener: one OpenSSL SSL_CTX with a certificate chain and its key,
// TLS 1.2 and 1.3 only, Mozilla's "intermediate" ciphers and groups (server-side recommendations v5.7)
// in the server's order, ALPN `http/1.1`, no renegotiation, no compression, session resumption by the
// built-in session cache and stateless tickets.
//
// Mutual TLS (client_auth optional or required): the server asks for a client certificate and trusts
// those issued by client_ca_file; one presented that is expired, not yet valid, untrusted or revoked
// (client_crl_file, whose own nextUpdate must not have passed) fails the handshake, as does a missing one
// when required. verified_client_name() reads the accepted certificate's name.
//
// Certificates and keys reload on SIGHUP (ReloadableContext): new handshakes use the new files, open
// connections keep theirs, and a bad new file keeps the old context.
//
// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be read, the key does
// not match the certificate, or a setting is refused; the reason never contains key material.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tachyon::tls {

enum class ClientAuth : std::uint8_t { off, optional, required };

struct ServerContextOptions {
  std::string certificate_file;  // PEM: the leaf first, then its intermediates
  std::string private_key_file;  // PEM, unencrypted
  ClientAuth client_auth = ClientAuth::off;
  std::string client_ca_file;   // PEM: the CAs that issue trusted client certificates (client_auth on)
  std::string client_crl_file;  // PEM: their revocation lists; empty = no revocation check
};

// The name of the client certificate a finished handshake verified: its first DNS subjectAltName, else
// its subject's commonName, ASCII lower-cased. Empty when the client sent none, verification did not
// pass, or the name is longer than 253 bytes or has bytes outside printable ASCII.
std::string verified_client_name(const SSL* ssl);

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
