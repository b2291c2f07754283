#include "tachyon/observe/connection_metrics.hpp"

namespace tachyon::observe {

const ConnectionMetrics& connection_metrics() {
  static const ConnectionMetrics metrics = [] {
    Registry& registry = default_registry();
    return ConnectionMetrics{
        .open = registry.gauge("tachyon_connections_open", "Client connections open now."),
        .accepted = registry.counter("tachyon_connections_accepted_total", "Client connections accepted."),
        .rejected = registry.counter("tachyon_connections_rejected_total",
                                     "Client connections that failed at accept (e.g. out of file descriptors)."),
    };
  }();
  return metrics;
}

}  // namespace tachyon::observe
