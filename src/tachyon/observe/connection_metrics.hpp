// Connection counters recorded by the HTTP workers (each worker thread writes its own shard):
// tachyon_connections_open, tachyon_connections_accepted_total, tachyon_connections_rejected_total.
#pragma once

#include "tachyon/observe/metrics.hpp"

namespace tachyon::observe {

struct ConnectionMetrics {
  Gauge open;
  Counter accepted;
  Counter rejected;  // accept() failures (out of descriptors or memory); at the connection limit the
                     // server stops accepting and clients wait in the kernel backlog instead
};

// In default_registry(), created on first call.
const ConnectionMetrics& connection_metrics();

}  // namespace tachyon::observe
