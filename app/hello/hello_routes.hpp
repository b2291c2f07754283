// The smallest service on Tachyon: fixed plaintext and JSON answers (the benchmark routes) and an echo
// endpoint that shows typed body validation. Read it first to learn how a route is written.
#pragma once

#include "tachyon/http/router.hpp"

namespace tachyon::app::hello {

void add_routes(http::Router& router);

}  // namespace tachyon::app::hello
