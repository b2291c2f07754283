// Test support: self-signed TLS certificates made at test time with the OpenSSL API (no openssl CLI),
// for HTTPS servers on loopback.
#pragma once

#include <string>
#include <vector>

namespace tachyon::testing {

struct CertificateFiles {
  std::string certificate;  // PEM, self-signed, also usable as the CA that trusts it
  std::string private_key;  // PEM, unencrypted
};

// Writes <directory>/<stem>.crt and .key: a fresh P-256 key and a certificate valid for a day whose
// subjectAltName lists `dns_names` and `ip_addresses`. Throws std::runtime_error on failure.
CertificateFiles make_self_signed_certificate(const std::string& directory, const std::string& stem,
                                              const std::vector<std::string>& dns_names,
                                              const std::vector<std::string>& ip_addresses);

}  // namespace tachyon::testing
