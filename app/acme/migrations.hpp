// Acme's numbered schema migrations, applied by `tachyon migrate` and at every start.
#pragma once

#include <span>

#include "tachyon/db/migrations.hpp"

namespace tachyon::app::acme {

std::span<const db::Migration> migrations();

}  // namespace tachyon::app::acme
