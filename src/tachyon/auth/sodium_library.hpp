// Initialises libsodium once before the auth module's first call into it: sodium_init() selects the fastest
// implementations for this CPU and prepares the CSPRNG, and libsodium's documentation requires it before any other
// function is used. Header-only so that each auth source file can be compiled on its own.
#pragma once

#include <sodium.h>

#include <stdexcept>

namespace tachyon::auth {

// Thread-safe: a function-local static is initialised exactly once (C++11 [stmt.dcl]/4), and sodium_init() itself is
// idempotent (it returns 1 when already initialised, 0 the first time, -1 on failure).
inline void require_sodium() {
  static const int result = sodium_init();
  if (result < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace tachyon::auth
