// The format of Tachyon's API keys and the keyed hash the database stores in their place. A key is
//   "tch_" + lookup id (12 base62) + "_" + secret (32 base62) + checksum (6 base62 digits of a CRC32),
// after GitHub's token format ("Behind GitHub's new authentication token formats", GitHub blog, 2021): the fixed
// public prefix lets secret scanners recognise a leaked key, the checksum rejects a typo without a database lookup,
// and the public lookup id fetches the stored HMAC, which is then compared in constant time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::auth {

constexpr std::string_view api_key_prefix = "tch_";

// 12 base62 characters carry 12 * log2(62) = 71.4 bits: with a million keys, the chance that two random lookup ids
// collide (birthday bound n^2 / 2N) is about 1.6e-10.
constexpr std::size_t api_key_lookup_id_length = 12;
// 32 base62 characters carry 190.5 bits of entropy, beyond the 128 bits needed against offline brute force.
constexpr std::size_t api_key_secret_length = 32;
// 62^6 = 5.68e10 > 2^32, so six base62 digits hold any CRC32 value (GitHub uses the same width).
constexpr std::size_t api_key_checksum_length = 6;
// 4 + 12 + 1 + 32 + 6 = 55 characters.
constexpr std::size_t api_key_length =
    api_key_prefix.size() + api_key_lookup_id_length + 1 + api_key_secret_length + api_key_checksum_length;

struct ApiKeyParts {
  std::string lookup_id;  // 12 base62 characters, public: stored in clear and used to fetch the key's hash
  std::string secret;     // 32 base62 characters, never stored

  bool operator==(const ApiKeyParts&) const = default;
};

// A new key: "tch_" + lookup_id + "_" + secret + checksum (6 base62 chars of CRC32 over everything before it). The
// random characters come from the OS CSPRNG through libsodium's randombytes_uniform(62), which has no modulo bias.
std::string generate_api_key();

// The key for the given parts (the checksum is computed). Throws std::invalid_argument when a part has the wrong length
// or a character outside base62; the message does not include the parts.
std::string format_api_key(const ApiKeyParts& parts);

// The parts of a well-formed key; nullopt for a wrong prefix, length, alphabet or checksum, so a mistyped key is
// rejected without a database lookup.
std::optional<ApiKeyParts> parse_api_key(std::string_view key);

// HMAC-SHA256(pepper, key) (RFC 2104, FIPS 180-4) as 64 lower-case hex digits. The pepper is a server secret kept out
// of the database, so a leaked table of hashes alone cannot be used to test guesses; RFC 2104 §3 recommends a key of
// at least the hash output length (32 bytes). Throws std::invalid_argument for an empty pepper.
std::string api_key_hash(std::string_view pepper, std::string_view key);

// Equality whose running time does not depend on where the inputs first differ (libsodium sodium_memcmp), for
// comparing a computed hash with a stored one. Inputs of different lengths compare unequal at once: the length of a
// hash is public.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace tachyon::auth
