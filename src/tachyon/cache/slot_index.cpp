#include "tachyon/cache/slot_index.hpp"

#include <stdexcept>
#include <utility>

namespace tachyon::cache {

namespace {

constexpr std::size_t initial_buckets = 16;
// Home buckets come from the 32-bit fragment, so the table cannot usefully grow past this.
constexpr std::size_t max_buckets = std::size_t{1} << 32;

}  // namespace

SlotIndex::SlotIndex() : buckets_(initial_buckets), mask_(initial_buckets - 1) {}

void SlotIndex::place(Bucket bucket) {
  std::size_t position = bucket.fragment & mask_;
  while (buckets_[position].slot != no_slot) position = (position + 1) & mask_;
  buckets_[position] = bucket;
}

void SlotIndex::insert(std::uint64_t hash, Slot slot) {
  // At most half full: short runs, and a lookup always meets an empty bucket.
  if (2 * (size_ + 1) > buckets_.size()) grow();
  place(Bucket{static_cast<std::uint32_t>(hash), slot});
  ++size_;
}

bool SlotIndex::erase(std::uint64_t hash, Slot slot) {
  auto fragment = static_cast<std::uint32_t>(hash);
  std::size_t hole = fragment & mask_;
  while (buckets_[hole].slot != slot) {
    if (buckets_[hole].slot == no_slot) return false;
    hole = (hole + 1) & mask_;
  }
  // Backward shift: each later member of the run whose home is at or before the hole (cyclically)
  // moves into it, and its bucket becomes the hole; the run ends at the first empty bucket.
  for (std::size_t position = (hole + 1) & mask_; buckets_[position].slot != no_slot;
       position = (position + 1) & mask_) {
    std::size_t home = buckets_[position].fragment & mask_;
    if (((position - home) & mask_) >= ((position - hole) & mask_)) {
      buckets_[hole] = buckets_[position];
      hole = position;
    }
  }
  buckets_[hole] = Bucket{};
  --size_;
  return true;
}

void SlotIndex::grow() {
  if (buckets_.size() >= max_buckets) throw std::length_error("SlotIndex: too many entries");
  std::vector<Bucket> old = std::exchange(buckets_, std::vector<Bucket>(buckets_.size() * 2));
  mask_ = buckets_.size() - 1;
  for (const Bucket& bucket : old) {
    if (bucket.slot != no_slot) place(bucket);
  }
}

}  // namespace tachyon::cache
