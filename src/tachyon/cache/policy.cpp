#include "tachyon/cache/policy.hpp"

#include <stdexcept>
#include <string>

#include "tachyon/cache/fifo_policy.hpp"
#include "tachyon/cache/lfu_policy.hpp"
#include "tachyon/cache/lru_policy.hpp"
#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace tachyon::cache {

PolicyKind parse_policy_kind(std::string_view name) {
  if (name == "lru") return PolicyKind::lru;
  if (name == "lfu") return PolicyKind::lfu;
  if (name == "fifo") return PolicyKind::fifo;
  if (name == "w-tinylfu" || name == "tinylfu") return PolicyKind::w_tinylfu;
  throw std::invalid_argument("unknown cache eviction policy '" + std::string(name) +
                              "' (expected lru, lfu, fifo or w-tinylfu)");
}

std::string_view to_string(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::lru:
      return "lru";
    case PolicyKind::lfu:
      return "lfu";
    case PolicyKind::fifo:
      return "fifo";
    case PolicyKind::w_tinylfu:
      return "w-tinylfu";
  }
  return "unknown";
}

std::unique_ptr<EvictionPolicy> make_policy(PolicyKind kind, std::uint64_t capacity_bytes) {
  switch (kind) {
    case PolicyKind::lru:
      return std::make_unique<LruPolicy>(capacity_bytes);
    case PolicyKind::fifo:
      return std::make_unique<FifoPolicy>(capacity_bytes);
    case PolicyKind::lfu:
      return std::make_unique<LfuPolicy>(capacity_bytes);
    case PolicyKind::w_tinylfu:
      return std::make_unique<WTinyLfuPolicy>(capacity_bytes);
  }
  throw std::invalid_argument("unknown cache eviction policy");
}

}  // namespace tachyon::cache
