// Internal to tls/: turns OpenSSL's error queue into an exception that says what failed and why, e.g.
// "cannot read the private key k.pem: bad decrypt". Only OpenSSL's reason string is used, never the
// data it was working on, so no key material reaches a message.
#pragma once

#include <string>

namespace tachyon::tls {

// Throws std::runtime_error with `what` and the first queued OpenSSL reason; empties the queue.
[[noreturn]] void throw_openssl_error(const std::string& what);

}  // namespace tachyon::tls
