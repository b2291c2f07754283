// The names an X.509 certificate carries, read safely: its DNS subjectAltNames and its subject's
// commonName, ASCII lower-cased. A name longer than a DNS name (253 bytes) or with bytes outside
// printable ASCII reads as empty, so it can match nothing and log nothing odd.
#pragma once

#include <openssl/types.h>

#include <string>
#include <vector>

namespace tachyon::tls {

// Every DNS subjectAltName in order (unusable ones as empty strings); empty when there are none.
std::vector<std::string> dns_names(X509* certificate);
// The subject's (first) commonName; empty when absent or unusable.
std::string common_name(X509* certificate);

}  // namespace tachyon::tls
