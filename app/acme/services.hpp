// What every Acme resource handler needs, built once at start: the database, the cursor signer,
// the password hasher and the caches of the cached routes.
#pragma once

#include "app/acme/caching.hpp"
#include "app/acme/identity.hpp"
#include "tachyon/auth/password_hasher.hpp"
#include "tachyon/db/database.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

struct Services {
  db::Database& database;
  security::Signer cursor_signer;
  AcmeCaches caches;
  auth::PasswordHasher& passwords;
  Identity& identity;                  // to revoke a user's logins when their password or status changes
  bool require_preconditions = false;  // routes that change users and products demand If-Match
};

}  // namespace tachyon::app::acme
