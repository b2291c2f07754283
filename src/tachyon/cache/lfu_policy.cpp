#include "tachyon/cache/lfu_policy.hpp"

#include <algorithm>

namespace tachyon::cache {

LfuPolicy::Bucket LfuPolicy::new_bucket(std::uint64_t count) {
  Bucket bucket;
  if (!free_buckets_.empty()) {
    bucket = free_buckets_.back();
    free_buckets_.pop_back();
  } else {
    bucket = static_cast<Bucket>(counts_.size());
    counts_.push_back(0);
    members_.emplace_back();
    bucket_links_.ensure(bucket);
  }
  counts_[bucket] = count;
  return bucket;
}

LfuPolicy::Bucket LfuPolicy::bucket_after(Bucket previous, std::uint64_t count) {
  Bucket next = previous == no_slot ? buckets_.front() : bucket_links_.next(previous);
  if (next != no_slot && counts_[next] == count) return next;
  Bucket bucket = new_bucket(count);
  if (previous == no_slot) {
    buckets_.push_front(bucket_links_, bucket);
  } else {
    buckets_.insert_after(bucket_links_, previous, bucket);
  }
  return bucket;
}

void LfuPolicy::leave_bucket(Slot slot) {
  Bucket bucket = bucket_of_[slot];
  members_[bucket].erase(slot_links_, slot);
  bucket_of_[slot] = no_slot;
  if (members_[bucket].empty()) {
    buckets_.erase(bucket_links_, bucket);
    free_buckets_.push_back(bucket);
  }
}

void LfuPolicy::on_hit(Slot slot) {
  if (!resident(slot)) return;
  Bucket bucket = bucket_of_[slot];
  // Find or make the next bucket before leaving this one, which may then disappear.
  Bucket next = bucket_after(bucket, counts_[bucket] + 1);
  leave_bucket(slot);
  members_[next].push_back(slot_links_, slot);
  bucket_of_[slot] = next;
}

void LfuPolicy::on_insert(Slot slot, std::uint64_t /*key_hash*/, std::uint64_t weight, std::vector<Slot>& evicted) {
  on_remove(slot);
  if (weight > capacity_) {
    evicted.push_back(slot);
    return;
  }
  if (slot >= bucket_of_.size()) {
    std::size_t size = std::max<std::size_t>(slot + 1, bucket_of_.size() * 2);
    bucket_of_.resize(size, no_slot);
    weights_.resize(size, 0);
  }
  slot_links_.ensure(slot);
  // Make room first: the newcomer always enters (LFU would otherwise refuse every new entry once all
  // residents have been hit), and it starts from the age its victims left.
  weight_ += weight;
  while (weight_ > capacity_ && !buckets_.empty()) {
    Bucket lowest = buckets_.front();
    Slot victim = members_[lowest].front();
    age_ = counts_[lowest];
    evicted.push_back(victim);
    on_remove(victim);
  }
  Bucket first = buckets_.front();
  Bucket bucket =
      (first != no_slot && counts_[first] <= age_) ? bucket_after(first, age_ + 1) : bucket_after(no_slot, age_ + 1);
  members_[bucket].push_back(slot_links_, slot);
  bucket_of_[slot] = bucket;
  weights_[slot] = weight;
}

void LfuPolicy::on_remove(Slot slot) {
  if (!resident(slot)) return;
  leave_bucket(slot);
  weight_ -= weights_[slot];
}

}  // namespace tachyon::cache
