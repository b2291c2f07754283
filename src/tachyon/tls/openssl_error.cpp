#include "tachyon/tls/openssl_error.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace tachyon::tls {

void throw_openssl_error(const std::string& what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  throw std::runtime_error(what + (reason != nullptr ? std::string(": ") + reason : std::string()));
}

}  // namespace tachyon::tls
