#include "tachyon/cache/lru_policy.hpp"

#include <algorithm>

namespace tachyon::cache {

void LruPolicy::on_hit(Slot slot) {
  if (reorder_on_hit_ && resident(slot)) queue_.move_to_back(links_, slot);
}

void LruPolicy::on_insert(Slot slot, std::uint64_t /*key_hash*/, std::uint64_t weight, std::vector<Slot>& evicted) {
  on_remove(slot);  // a slot the store reuses without on_remove first is a replacement
  if (weight > capacity_) {
    evicted.push_back(slot);
    return;
  }
  if (slot >= weights_.size()) weights_.resize(std::max<std::size_t>(slot + 1, weights_.size() * 2), not_resident);
  links_.ensure(slot);
  weights_[slot] = weight;
  weight_ += weight;
  queue_.push_back(links_, slot);
  while (weight_ > capacity_) {
    Slot victim = queue_.front();
    evicted.push_back(victim);
    on_remove(victim);
  }
}

void LruPolicy::on_remove(Slot slot) {
  if (!resident(slot)) return;
  queue_.erase(links_, slot);
  weight_ -= weights_[slot];
  weights_[slot] = not_resident;
}

}  // namespace tachyon::cache
