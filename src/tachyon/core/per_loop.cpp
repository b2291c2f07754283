#include "tachyon/core/per_loop.hpp"

namespace tachyon::core::detail {

namespace {

struct ThreadExitHook {
  std::vector<std::weak_ptr<PerLoopRegistry>> registries;
  ~ThreadExitHook() {
    std::thread::id thread = std::this_thread::get_id();
    for (const auto& weak : registries) {
      if (std::shared_ptr<PerLoopRegistry> registry = weak.lock()) registry->release_thread(thread);
    }
  }
};

std::atomic<std::uint64_t> identities{1};

}  // namespace

// Declared before the hook, so the hook (destroyed first) can still edit it.
std::vector<CachedObject>& thread_objects() {
  thread_local std::vector<CachedObject> objects;
  return objects;
}

void at_thread_exit(const std::weak_ptr<PerLoopRegistry>& registry) {
  thread_objects();  // constructed before the hook, so destroyed after it
  thread_local ThreadExitHook hook;
  hook.registries.push_back(registry);
}

std::uint64_t next_per_loop_identity() {
  return identities.fetch_add(1);
}

}  // namespace tachyon::core::detail
