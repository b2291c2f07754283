// The TLS configuration of the HTTPS listener: one OpenSSL SSL_CTX with one or more certificates (the
// first by default, another when the client's SNI name is one of its names), TLS 1.2 and 1.3 only,
// Mozilla's "intermediate" ciphers and groups (server-side recommendations v5.7) in the server's order,
// ALPN `http/1.1`, no renegotiation, no compression, stapled OCSP responses when given, and session
// resumption by the built-in session cache and by tickets under rotating keys (TicketKeyRing).
//
// Mutual TLS (client_auth optional or required): the server asks for a client certificate and trusts
// those issued by client_ca_file; one presented that is expired, not yet valid, untrusted or revoked
// (client_crl_file, whose own nextUpdate must not have passed) fails the handshake, as does a missing one
// when required. verified_client_name() reads the accepted certificate's name.
//
// Certificates, keys and OCSP responses reload on SIGHUP (ReloadableContext): new handshakes use the new
// files, open connections keep theirs, and a bad new file keeps the old context. The ticket keys survive
// a reload (sessions keep resuming) unless mutual TLS is on: then a reload also ends resumption, so a
// client certificate revoked by the new CRL cannot come back through an old session.
//
// Throws std::runtime_error naming the file and OpenSSL's reason when a file cannot be read, the key does
// not match the certificate, or a setting is refused; the reason never contains key material.
#pragma once

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/tls/served_certificate.hpp"
#include "tachyon/tls/ticket_keys.hpp"

namespace tachyon::tls {

enum class ClientAuth : std::uint8_t { off, optional, required };

struct ServerContextOptions {
  std::vector<CertificateKeyFiles> certificates;   // at least one; the first is the default
  std::vector<std::string> ocsp_response_files;    // DER, each stapled for the certificate it answers for
  std::chrono::seconds ticket_key_lifetime{3600};  // 0: no session tickets (the session cache still resumes)
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
  std::shared_ptr<TicketKeyRing> ticket_keys_;  // kept across reloads unless mutual TLS is on
  mutable std::mutex mutex_;
  std::shared_ptr<const ServerContext> current_;
};

class ServerContext {
 public:
  // `ticket_keys` null: session tickets are off.
  ServerContext(const ServerContextOptions& options, std::shared_ptr<TicketKeyRing> ticket_keys);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  SSL_CTX* native() const { return context_; }

  // The certificate for an SNI name: the first that names it exactly, else the first whose wildcard
  // covers it, else the default.
  const ServedCertificate& certificate_for(std::string_view host) const;
  const ServedCertificate& default_certificate() const { return *certificates_.front(); }
  const ServedCertificate* certificate_in_use(const SSL* connection) const;
  TicketKeyRing* ticket_keys() const { return ticket_keys_.get(); }

 private:
  void load_ocsp_responses(const std::vector<std::string>& files);

  std::vector<std::unique_ptr<ServedCertificate>> certificates_;
  std::shared_ptr<TicketKeyRing> ticket_keys_;
  SSL_CTX* context_ = nullptr;
};

}  // namespace tachyon::tls
