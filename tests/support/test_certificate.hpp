// Test support: self-signed TLS certificates made at test time with the OpenSSL API (no openssl CLI),
// for HTTPS servers on loopback; and the start of a shell script that sets up a real `openssl ca`.
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

// `sh` text, run in an empty directory: creates a CA (`ca.crt`, `ca.key`, subject `/CN=<ca_name>`) with
// an `openssl ca` database and `ca.cnf` (30-day certificates and CRLs, subjectAltNames copied from the
// request), and defines `key` (a P-256 `openssl req -nodes` with the given arguments) and
// `issue NAME CN [openssl ca arguments]`: NAME.key, NAME.crt for /CN=CN, extended key usage
// `key_usage` (serverAuth or clientAuth), with the request extensions in $ADDEXT (e.g.
// `-addext subjectAltName=DNS:a.test`). The script stops at the first failing command.
std::string openssl_ca_script(const std::string& ca_name, const std::string& key_usage);

}  // namespace tachyon::testing
