#include "tachyon/auth/api_key.hpp"

#include <sodium.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "tachyon/auth/sodium_library.hpp"

namespace tachyon::auth {

namespace {

constexpr std::string_view base62_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static_assert(base62_alphabet.size() == 62);

constexpr char separator = '_';
constexpr std::size_t lookup_id_offset = api_key_prefix.size();
constexpr std::size_t separator_offset = lookup_id_offset + api_key_lookup_id_length;
constexpr std::size_t secret_offset = separator_offset + 1;
constexpr std::size_t checksum_offset = secret_offset + api_key_secret_length;

// The value of a base62 digit, or -1 for any other character.
int base62_value(char character) {
  if (character >= '0' && character <= '9') return character - '0';
  if (character >= 'A' && character <= 'Z') return character - 'A' + 10;
  if (character >= 'a' && character <= 'z') return character - 'a' + 36;
  return -1;
}

bool is_base62(std::string_view text) {
  for (char character : text) {
    if (base62_value(character) < 0) return false;
  }
  return true;
}

std::string random_base62(std::size_t length) {
  std::string text(length, '0');
  for (char& character : text) character = base62_alphabet[randombytes_uniform(base62_alphabet.size())];
  return text;
}

std::uint32_t crc32_of(std::string_view text) {
  // zlib's crc32 is the ISO-HDLC CRC-32 (ISO 3309, polynomial 0x04C11DB7, reflected), as in GitHub's tokens.
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  return static_cast<std::uint32_t>(crc);
}

// Six base62 digits, most significant first, zero-padded.
std::string encode_checksum(std::uint32_t value) {
  std::string digits(api_key_checksum_length, '0');
  std::uint64_t rest = value;
  for (std::size_t position = digits.size(); position-- > 0;) {
    digits[position] = base62_alphabet[rest % base62_alphabet.size()];
    rest /= base62_alphabet.size();
  }
  return digits;
}

// The value of six base62 digits, or nullopt when it is not a CRC32 value (at least 2^32).
std::optional<std::uint32_t> decode_checksum(std::string_view digits) {
  std::uint64_t value = 0;
  for (char character : digits) {
    const int digit = base62_value(character);
    if (digit < 0) return std::nullopt;
    value = value * base62_alphabet.size() + static_cast<std::uint64_t>(digit);
  }
  if (value > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace

std::string format_api_key(const ApiKeyParts& parts) {
  if (parts.lookup_id.size() != api_key_lookup_id_length || parts.secret.size() != api_key_secret_length ||
      !is_base62(parts.lookup_id) || !is_base62(parts.secret)) {
    throw std::invalid_argument("API key parts must be 12 and 32 base62 characters");
  }
  std::string key;
  key.reserve(api_key_length);
  key.append(api_key_prefix).append(parts.lookup_id).append(1, separator).append(parts.secret);
  key.append(encode_checksum(crc32_of(key)));
  return key;
}

std::string generate_api_key() {
  require_sodium();
  return format_api_key({random_base62(api_key_lookup_id_length), random_base62(api_key_secret_length)});
}

std::optional<ApiKeyParts> parse_api_key(std::string_view key) {
  if (key.size() != api_key_length || !key.starts_with(api_key_prefix) || key[separator_offset] != separator) {
    return std::nullopt;
  }
  const std::string_view lookup_id = key.substr(lookup_id_offset, api_key_lookup_id_length);
  const std::string_view secret = key.substr(secret_offset, api_key_secret_length);
  if (!is_base62(lookup_id) || !is_base62(secret)) return std::nullopt;
  const std::optional<std::uint32_t> checksum = decode_checksum(key.substr(checksum_offset));
  if (!checksum || *checksum != crc32_of(key.substr(0, checksum_offset))) return std::nullopt;
  return ApiKeyParts{std::string(lookup_id), std::string(secret)};
}

std::string api_key_hash(std::string_view pepper, std::string_view key) {
  if (pepper.empty()) throw std::invalid_argument("API key pepper is empty");
  require_sodium();
  // The init/update/final interface takes a key of any length (RFC 2104 §2: a key longer than the 64-byte block is
  // hashed first); the one-shot crypto_auth_hmacsha256 requires exactly 32 bytes.
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(pepper.data()), pepper.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);  // the state holds the pepper-derived inner and outer pads
  std::array<char, crypto_auth_hmacsha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());  // lower-case, NUL-terminated
  return std::string(hex.data(), crypto_auth_hmacsha256_BYTES * 2);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  require_sodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tachyon::auth
