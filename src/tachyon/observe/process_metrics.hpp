// The standard process_* metrics (as client_golang and client_python name them), read from /proc at
// scrape time, plus tachyon_build_info{version,revision}.
#pragma once

#include "tachyon/observe/metrics.hpp"

namespace tachyon::observe {

// Adds a scrape-time collector for process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds, process_start_time_seconds,
// process_threads and tachyon_build_info. Call once per registry.
void register_process_metrics(Registry& registry);

}  // namespace tachyon::observe
