// One certificate the HTTPS listener can present: its chain and private key read from PEM files, the
// host names it is valid for (the SNI choice among several certificates), and an optional stapled OCSP
// response (RFC 6066 §8) for it.
//
// OCSP responses come from files the operator refreshes (e.g. `openssl ocsp ... -respout`), matched to
// the certificate they answer for by its certificate ID, so their order does not matter. A response that
// is not successful, does not name a served certificate, says it is revoked or unknown, or is past its
// nextUpdate is refused when loaded; one that goes stale while the server runs stops being stapled
// (clients then ask the responder themselves) until SIGHUP loads a fresh one.
#pragma once

#include <openssl/types.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

struct stack_st_X509;  // STACK_OF(X509), declared where <openssl/x509.h> would put it

namespace tachyon::tls {

struct CertificateKeyFiles {
  std::string certificate_file;  // PEM: the leaf first, then its intermediates
  std::string private_key_file;  // PEM, unencrypted
};

class ServedCertificate {
 public:
  // Throws std::runtime_error naming the file and the reason (never key material).
  explicit ServedCertificate(const CertificateKeyFiles& files);
  ~ServedCertificate();
  ServedCertificate(const ServedCertificate&) = delete;
  ServedCertificate& operator=(const ServedCertificate&) = delete;

  // Makes this the certificate of `context` (the one presented without SNI or when no name matches).
  void use_in(SSL_CTX* context) const;
  // Makes this the certificate of one connection (chosen by its SNI name).
  void use_in(SSL* connection) const;

  // True when `host` (lower-case, as SNI carries it) is one of the certificate's DNS names, exactly or
  // under a `*.` wildcard that stands for one whole label.
  bool names_exactly(std::string_view host) const;
  bool names_by_wildcard(std::string_view host) const;
  bool is(const X509* certificate) const;

  // Reads a DER OCSP response and keeps it when it answers for this certificate; returns false (and
  // keeps nothing) when it names another certificate; throws when it is unusable for this one.
  bool attach_ocsp_response(const std::string& der, const std::string& file);
  // The response to staple now: empty without one, or once its nextUpdate has passed.
  std::string_view ocsp_response(std::time_t now) const;

 private:
  X509* leaf_ = nullptr;
  stack_st_X509* intermediates_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  std::string file_;                // for messages
  std::vector<std::string> names_;  // DNS subjectAltNames (else the commonName), lower-case
  std::string ocsp_response_;       // DER
  std::time_t ocsp_next_update_ = 0;
};

}  // namespace tachyon::tls
