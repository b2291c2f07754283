// Tamper-evident tokens: HMAC-SHA256 (RFC 2104) over a payload with the server's secret key, encoded
// as base64url (RFC 4648 §5). Used for pagination cursors now, and later for signed tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tachyon::security {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Random bytes from the operating system's CSPRNG (OpenSSL RAND_bytes), hex-encoded.
std::string random_hex(std::size_t bytes);

class Signer {
 public:
  explicit Signer(std::string key) : key_(std::move(key)) {}

  // "<base64url payload>.<base64url HMAC>"
  std::string sign(std::string_view payload) const;
  // The payload when the signature is valid (compared in constant time), else nullopt.
  std::optional<std::string> verify(std::string_view token) const;

 private:
  std::string mac(std::string_view payload) const;
  std::string key_;
};

}  // namespace tachyon::security
