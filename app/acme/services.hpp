// What every Acme resource handler needs, built once at start: the database, the cursor signer and
// the caches of the cached routes.
#pragma once

#include "app/acme/caching.hpp"
#include "tachyon/db/database.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

struct Services {
  db::Database& database;
  security::Signer cursor_signer;
  AcmeCaches caches;
};

}  // namespace tachyon::app::acme
