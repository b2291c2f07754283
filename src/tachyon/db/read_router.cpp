#include "tachyon/db/read_router.hpp"

#include <algorithm>

namespace tachyon::db {

ReadRouter::ReadRouter(std::size_t replicas, Clock::duration entry_lifetime, std::size_t max_callers)
    : entry_lifetime_(entry_lifetime), max_callers_(max_callers), replicas_(replicas) {}

void ReadRouter::wrote(std::string_view caller, std::uint64_t position, Clock::time_point now) {
  const Pending pending{position, now + entry_lifetime_};
  std::lock_guard lock(mutex_);
  latest_.position = std::max(required(latest_, now), position);
  latest_.expires = pending.expires;
  if (caller.empty()) return;
  auto found = callers_.find(caller);
  if (found != callers_.end()) {
    found->second.position = std::max(required(found->second, now), position);
    found->second.expires = pending.expires;
    return;
  }
  if (callers_.size() >= max_callers_) {
    prune(now);
    if (callers_.size() >= max_callers_) {
      // Every caller now needs what this instance wrote last (latest_ is at least each entry).
      floor_ = latest_;
      callers_.clear();
      return;
    }
  }
  callers_.emplace(std::string(caller), pending);
}

void ReadRouter::replica_state(std::size_t replica, std::optional<std::uint64_t> replayed, bool usable,
                               Clock::time_point now) {
  std::lock_guard lock(mutex_);
  Replica& state = replicas_.at(replica);
  if (replayed) state.replayed = std::max(state.replayed, *replayed);  // replay only moves forward
  state.usable = replayed.has_value() && usable;
  prune(now);
}

void ReadRouter::replica_failed(std::size_t replica) {
  std::lock_guard lock(mutex_);
  replicas_.at(replica).usable = false;
}

void ReadRouter::prune(Clock::time_point now) {
  std::uint64_t everywhere = ~std::uint64_t{0};
  bool any = false;
  for (const Replica& replica : replicas_) {
    if (!replica.usable) continue;
    everywhere = std::min(everywhere, replica.replayed);
    any = true;
  }
  // An entry stays until every usable replica has it: a replica that comes back later is usable again
  // only after its next report, and expired entries no longer constrain anything.
  if (!any) everywhere = 0;
  std::erase_if(callers_, [&](const auto& entry) {
    return now >= entry.second.expires || (any && entry.second.position <= everywhere);
  });
}

ReadChoice ReadRouter::choose(std::string_view caller, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::uint64_t needed = required(floor_, now);
  if (caller.empty()) {
    needed = std::max(needed, required(latest_, now));
  } else if (auto found = callers_.find(caller); found != callers_.end()) {
    needed = std::max(needed, required(found->second, now));
  }
  bool any_usable = false;
  for (std::size_t offset = 0; offset < replicas_.size(); ++offset) {
    const std::size_t index = (next_ + offset) % replicas_.size();
    const Replica& replica = replicas_[index];
    if (!replica.usable) continue;
    any_usable = true;
    if (replica.replayed < needed) continue;
    next_ = index + 1;
    return {ReadTarget::replica, index};
  }
  return {any_usable ? ReadTarget::primary_behind : ReadTarget::primary_no_replica, 0};
}

std::size_t ReadRouter::tracked_callers() const {
  std::lock_guard lock(mutex_);
  return callers_.size();
}

}  // namespace tachyon::db
