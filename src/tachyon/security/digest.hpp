// Content digests: SHA-256 (OpenSSL) as lower-case hex, for identifiers derived from content (model
// versions, cache keys).
#pragma once

#include <string>
#include <string_view>

namespace tachyon::security {

// The 64 lower-case hex digits of SHA-256(bytes).
std::string sha256_hex(std::string_view bytes);

}  // namespace tachyon::security
