#include "tachyon/cache/window_simulation.hpp"

#include <algorithm>
#include <cstdlib>

#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace tachyon::cache {

namespace {

constexpr int miniature_count = 11;               // window shares 0 %, 10 % ... 100 %
constexpr std::uint64_t miniature_entries = 512;  // the size R aims at, in entries
constexpr std::uint64_t period_multiple = 2;      // a period: this many x a miniature's entries, sampled
constexpr double score_decay = 0.5;               // older periods' misses count for less each period

}  // namespace

// One miniature cache: a fixed-window W-TinyLFU over slots, and the sampled keys' slots.
struct WindowSimulation::Miniature {
  Miniature(std::uint64_t capacity, double window_share)
      : policy(capacity, window_share, WindowAdaptation::fixed) {}

  // Replays one access; returns whether it hit.
  bool access(std::uint64_t key_hash, std::uint64_t weight) {
    std::uint64_t key = key_hash == 0 ? 1 : key_hash;  // 0 marks a free cell
    policy.record_lookup(key);
    std::size_t cell = find(key);
    if (keys[cell] == key) {
      policy.on_hit(slots[cell]);
      return true;
    }
    Slot slot = allocate_slot(key);
    insert(key, slot);
    evicted.clear();
    policy.on_insert(slot, key, weight, evicted);
    for (Slot victim : evicted) {
      erase(key_of_slot[victim]);
      free_slots.push_back(victim);
    }
    return false;
  }

  Slot allocate_slot(std::uint64_t key) {
    Slot slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<Slot>(key_of_slot.size());
      key_of_slot.push_back(0);
    }
    key_of_slot[slot] = key;
    return slot;
  }

  // Open addressing with linear probing; the table stays at most half full.
  std::size_t find(std::uint64_t key) const {
    std::size_t cell = static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
    while (keys[cell] != 0 && keys[cell] != key) cell = (cell + 1) & mask;
    return cell;
  }

  void insert(std::uint64_t key, Slot slot) {
    if (2 * (count + 1) > keys.size()) grow();
    std::size_t cell = find(key);
    keys[cell] = key;
    slots[cell] = slot;
    ++count;
  }

  // Backward-shift deletion: no tombstones, so lookups stay short however long the replay runs.
  void erase(std::uint64_t key) {
    std::size_t hole = find(key);
    if (keys[hole] != key) return;
    --count;
    std::size_t cell = hole;
    for (;;) {
      cell = (cell + 1) & mask;
      if (keys[cell] == 0) break;
      std::size_t home = static_cast<std::size_t>((keys[cell] * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
      // The entry at `cell` may fill the hole if its home is not cyclically in (hole, cell].
      bool movable = hole <= cell ? (home <= hole || home > cell) : (home <= hole && home > cell);
      if (movable) {
        keys[hole] = keys[cell];
        slots[hole] = slots[cell];
        hole = cell;
      }
    }
    keys[hole] = 0;
  }

  void grow() {
    std::vector<std::uint64_t> old_keys = std::move(keys);
    std::vector<Slot> old_slots = std::move(slots);
    std::size_t size = std::max<std::size_t>(64, 2 * old_keys.size());
    keys.assign(size, 0);
    slots.assign(size, no_slot);
    mask = size - 1;
    for (std::size_t cell = 0; cell < old_keys.size(); ++cell) {
      if (old_keys[cell] == 0) continue;
      std::size_t target = find(old_keys[cell]);
      keys[target] = old_keys[cell];
      slots[target] = old_slots[cell];
    }
  }

  WTinyLfuPolicy policy;
  std::vector<std::uint64_t> keys;  // the key table: sampled key hash, or 0
  std::vector<Slot> slots;          // by cell
  std::size_t mask = 0;
  std::size_t count = 0;
  std::vector<std::uint64_t> key_of_slot;
  std::vector<Slot> free_slots;
  std::vector<Slot> evicted;
  std::uint64_t misses_in_period = 0;
  double score = 0.0;
};

WindowSimulation::WindowSimulation(std::uint64_t capacity, std::uint64_t expected_entries, double initial_share)
    : sampling_rate_(std::max<std::uint64_t>(1, expected_entries / miniature_entries)),
      best_share_(initial_share) {
  std::uint64_t entries = std::max<std::uint64_t>(1, expected_entries / sampling_rate_);
  period_ = period_multiple * entries;
  miniatures_.reserve(miniature_count);
  for (int index = 0; index < miniature_count; ++index) {
    miniatures_.push_back(std::make_unique<Miniature>(std::max<std::uint64_t>(1, capacity / sampling_rate_),
                                                      static_cast<double>(index) / (miniature_count - 1)));
    miniatures_.back()->grow();
  }
}

WindowSimulation::~WindowSimulation() = default;

bool WindowSimulation::replay(std::uint64_t key_hash, std::uint64_t weight) {
  for (auto& miniature : miniatures_) {
    if (!miniature->access(key_hash, weight)) ++miniature->misses_in_period;
  }
  if (++sampled_in_period_ < period_) return false;
  choose();
  return true;
}

void WindowSimulation::choose() {
  sampled_in_period_ = 0;
  std::size_t best = 0;
  for (std::size_t index = 0; index < miniatures_.size(); ++index) {
    Miniature& miniature = *miniatures_[index];
    miniature.score = score_decay * miniature.score + static_cast<double>(miniature.misses_in_period);
    miniature.misses_in_period = 0;
    if (miniature.score < miniatures_[best]->score) best = index;
  }
  best_share_ = static_cast<double>(best) / (miniature_count - 1);
}

}  // namespace tachyon::cache
