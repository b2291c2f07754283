#include "tachyon/cache/window_simulation.hpp"

#include <algorithm>
#include <cmath>

#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace tachyon::cache {

namespace {

constexpr int miniature_count = 9;                // window shares 0 %, 10 % ... 80 %
constexpr double maximum_share = 0.8;             // the capacity less probation's 19.8 % (Caffeine's)
constexpr std::uint64_t miniature_entries = 128;  // the size R aims at (Caffeine: 100)
constexpr std::uint64_t period_multiple = 2;      // a period: this many x a miniature's entries, sampled
constexpr double score_decay = 0.5;               // each period halves the older periods' misses
// A share within this many standard deviations of the best one's misses counts as good as the best
// (misses in a period are roughly Poisson, so the deviation is the square root of the count).
constexpr double noise_deviations = 1.0;

double share_of(std::size_t index) {
  return maximum_share * static_cast<double>(index) / (miniature_count - 1);
}

}  // namespace

// One miniature cache: a fixed-window W-TinyLFU over slots, and the sampled keys' slots.
struct WindowSimulation::Miniature {
  Miniature(std::uint64_t capacity, double window_share, FrequencySketch& sketch) : policy(capacity, sketch) {
    policy.resize_window(static_cast<std::uint64_t>(window_share * static_cast<double>(capacity)));
  }

  // Replays one access of `key` (not 0), already counted in the shared sketch; returns whether it hit.
  bool access(std::uint64_t key, std::uint64_t weight) {
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
      sample_threshold_((std::uint64_t{1} << 32) / sampling_rate_),
      best_share_(initial_share) {
  std::uint64_t entries = std::max<std::uint64_t>(1, expected_entries / sampling_rate_);
  period_ = period_multiple * entries;
  miniatures_.reserve(miniature_count);
  for (int index = 0; index < miniature_count; ++index) {
    miniatures_.push_back(std::make_unique<Miniature>(std::max<std::uint64_t>(1, capacity / sampling_rate_),
                                                      share_of(static_cast<std::size_t>(index)), sketch_));
    miniatures_.back()->grow();
    if (std::abs(share_of(static_cast<std::size_t>(index)) - initial_share) <
        std::abs(share_of(current_) - initial_share)) {
      current_ = static_cast<std::size_t>(index);
    }
  }
}

WindowSimulation::~WindowSimulation() = default;

bool WindowSimulation::replay(std::uint64_t key_hash, std::uint64_t weight, bool full) {
  std::uint64_t key = key_hash == 0 ? 1 : key_hash;  // 0 marks a free cell of the key tables
  // The miniatures' record_lookup, once for all of them: they share the sketch.
  sketch_.increment(key);
  for (auto& miniature : miniatures_) {
    if (!miniature->access(key, weight) && started_) ++miniature->misses_in_period;
  }
  started_ = started_ || full;
  if (!started_ || ++sampled_in_period_ < period_) return false;
  return choose();
}

bool WindowSimulation::choose() {
  sampled_in_period_ = 0;
  std::size_t best = 0;
  bool uniform = true;
  for (std::size_t index = 0; index < miniatures_.size(); ++index) {
    Miniature& miniature = *miniatures_[index];
    miniature.score = score_decay * miniature.score + static_cast<double>(miniature.misses_in_period);
    uniform = uniform && miniature.score == miniatures_.front()->score;
    miniature.misses_in_period = 0;
    if (miniature.score < miniatures_[best]->score) best = index;
  }
  if (uniform) return false;  // nothing tells the shares apart: keep the window
  // Hysteresis: of the shares whose misses are within the noise of the best one's, take the one
  // nearest the current window, so that noise does not swing the window (each swing costs hits
  // while the entries settle into their new spaces).
  double limit = miniatures_[best]->score + noise_deviations * std::sqrt(miniatures_[best]->score);
  auto distance = [this](std::size_t index) { return index > current_ ? index - current_ : current_ - index; };
  std::size_t chosen = best;
  for (std::size_t index = 0; index < miniatures_.size(); ++index) {
    if (miniatures_[index]->score <= limit && distance(index) < distance(chosen)) chosen = index;
  }
  current_ = chosen;
  best_share_ = share_of(chosen);
  return true;
}

}  // namespace tachyon::cache
