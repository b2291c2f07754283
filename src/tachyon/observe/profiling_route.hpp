// GET /debug/pprof/profile?seconds=N: a gperftools CPU profile of the whole process over N seconds
// (clamped to 1..60, default 30), readable by `google-pprof --text <binary> <file>`. One profile at a
// time (409 while busy); needs the `admin` scope.
#pragma once

#include "tachyon/http/router.hpp"

namespace tachyon::observe {

void add_profiling_route(http::Router& router);

}  // namespace tachyon::observe
