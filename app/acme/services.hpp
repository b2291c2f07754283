// What every Acme resource handler needs, built once at start: the database and the cursor signer.
#pragma once

#include "tachyon/db/database.hpp"
#include "tachyon/security/signing.hpp"

namespace tachyon::app::acme {

struct Services {
  db::Database& database;
  security::Signer cursor_signer;
};

}  // namespace tachyon::app::acme
