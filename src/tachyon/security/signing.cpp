#include "tachyon/security/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace tachyon::security {

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}
}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t index = 0;
  for (; index + 2 < bytes.size(); index += 3) {
    auto triple = (static_cast<unsigned char>(bytes[index]) << 16) |
                  (static_cast<unsigned char>(bytes[index + 1]) << 8) | static_cast<unsigned char>(bytes[index + 2]);
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    out += alphabet[(triple >> 6) & 63];
    out += alphabet[triple & 63];
  }
  std::size_t rest = bytes.size() - index;
  if (rest > 0) {
    unsigned triple = static_cast<unsigned char>(bytes[index]) << 16;
    if (rest == 2) triple |= static_cast<unsigned char>(bytes[index + 1]) << 8;
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    if (rest == 2) out += alphabet[(triple >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned accumulator = 0;
  int bits = 0;
  for (char c : text) {
    int value = decode_char(c);
    if (value < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xff);
    }
  }
  if ((accumulator & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("the operating system's random generator failed");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (char c : raw) {
    hex += digits[(static_cast<unsigned char>(c) >> 4) & 0xf];
    hex += digits[static_cast<unsigned char>(c) & 0xf];
  }
  return hex;
}

std::string Signer::mac(std::string_view payload) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), digest.data(), &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string Signer::sign(std::string_view payload) const {
  return base64url_encode(payload) + "." + base64url_encode(mac(payload));
}

std::optional<std::string> Signer::verify(std::string_view token) const {
  std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = base64url_decode(token.substr(0, dot));
  auto signature = base64url_decode(token.substr(dot + 1));
  if (!payload || !signature) return std::nullopt;
  std::string expected = mac(*payload);
  if (signature->size() != expected.size() || CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return payload;
}

}  // namespace tachyon::security
