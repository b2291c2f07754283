#include "tachyon/cache/w_tinylfu_policy.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "tachyon/cache/window_simulation.hpp"

namespace tachyon::cache {

namespace {

constexpr double protected_percent = 0.80;      // of the main space
constexpr double step_percent = 0.0625;         // the climber's initial step, of the capacity
constexpr double step_decay = 0.98;             // per sample period
constexpr double restart_threshold = 0.05;      // a hit-ratio change this large restarts the step
constexpr int hash_flood_threshold = 6;         // warm candidates are admitted 1 in 128 at random
constexpr std::uint64_t transfer_limit = 1000;  // entries moved per adjustment

}  // namespace

WTinyLfuPolicy::WTinyLfuPolicy(std::uint64_t capacity, double initial_window_share, WindowAdaptation adaptation)
    : capacity_(capacity),
      window_maximum_(capacity - static_cast<std::uint64_t>((1.0 - std::clamp(initial_window_share, 0.0, 1.0)) *
                                                            static_cast<double>(capacity))),
      protected_maximum_(
          static_cast<std::uint64_t>(protected_percent * static_cast<double>(capacity - window_maximum_))),
      probation_share_(capacity - window_maximum_ - protected_maximum_),
      adaptation_(adaptation),
      step_size_(-step_percent * static_cast<double>(capacity)) {}

WTinyLfuPolicy::WTinyLfuPolicy(std::uint64_t capacity, FrequencySketch& shared_sketch)
    : WTinyLfuPolicy(capacity, 0.01, WindowAdaptation::fixed) {
  sketch_ = &shared_sketch;
  owns_sketch_ = false;
}

WTinyLfuPolicy::~WTinyLfuPolicy() = default;

SlotList& WTinyLfuPolicy::list_of(Region region) {
  switch (region) {
    case Region::window:
      return window_;
    case Region::probation:
      return probation_;
    default:
      return protected_;
  }
}

void WTinyLfuPolicy::move(Slot slot, Region to) {
  Region from = region_[slot];
  std::uint64_t weight = weights_[slot];
  if (from != Region::none) list_of(from).erase(links_, slot);
  if (from == Region::window) window_weight_ -= weight;
  if (from == Region::protected_) protected_weight_ -= weight;
  region_[slot] = to;
  if (to == Region::none) return;
  list_of(to).push_back(links_, slot);
  if (to == Region::window) window_weight_ += weight;
  if (to == Region::protected_) protected_weight_ += weight;
}

// Out of line on purpose: were it inline, GCC would inline it speculatively into LocalCache::get
// behind a vtable compare, which costs the other policies' lookups a compare and registers.
void WTinyLfuPolicy::record_lookup(std::uint64_t key_hash) {
  if (owns_sketch_) sketch_->increment(key_hash);  // inline (frequency_sketch.hpp)
  lookup_sampled_ = simulation_ && simulation_->sampled(key_hash);
}

void WTinyLfuPolicy::on_hit(Slot slot) {
  if (!resident(slot)) return;
  ++hits_in_sample_;
  switch (region_[slot]) {
    case Region::window:
      window_.move_to_back(links_, slot);
      break;
    case Region::probation:
      move(slot, Region::protected_);
      demote_from_protected();
      break;
    case Region::protected_:
      protected_.move_to_back(links_, slot);
      break;
    case Region::none:
      break;
  }
  if (adaptation_ == WindowAdaptation::hill_climbing) {
    climb();
  } else if (lookup_sampled_) {
    // Only sampled keys pay for reading their hash and weight (two more cache lines per hit).
    lookup_sampled_ = false;
    replay_in_simulation(hashes_[slot], weights_[slot]);
  }
}

void WTinyLfuPolicy::on_insert(Slot slot, std::uint64_t key_hash, std::uint64_t weight, std::vector<Slot>& evicted) {
  on_remove(slot);
  lookup_sampled_ = false;  // a miss is replayed below with its own hash and weight
  ++misses_in_sample_;
  if (weight > capacity_) {
    evicted.push_back(slot);
    return;
  }
  if (slot >= region_.size()) {
    std::size_t size = std::max<std::size_t>(slot + 1, region_.size() * 2);
    region_.resize(size, Region::none);
    weights_.resize(size, 0);
    hashes_.resize(size, 0);
  }
  links_.ensure(slot);
  weights_[slot] = weight;
  hashes_[slot] = key_hash;
  weight_ += weight;
  ++entries_;
  move(slot, Region::window);
  // Caffeine sizes the sketch when the cache is half full, and only then starts climbing.
  if (!sketch_->initialized() && weight_ >= capacity_ / 2) {
    sketch_->ensure_capacity(std::max<std::uint64_t>(2 * entries_, 16));
    hits_in_sample_ = misses_in_sample_ = 0;
    if (adaptation_ == WindowAdaptation::mini_simulation && !follower_) {
      // How many entries fill the capacity, from the mean weight so far.
      double expected_entries = static_cast<double>(capacity_) * static_cast<double>(entries_) /
                                static_cast<double>(std::max<std::uint64_t>(weight_, 1));
      simulation_ =
          std::make_unique<WindowSimulation>(capacity_, static_cast<std::uint64_t>(expected_entries),
                                             static_cast<double>(window_maximum_) / static_cast<double>(capacity_));
    }
  } else if (sketch_->initialized() && entries_ > 2 * sketch_->capacity()) {
    sketch_->ensure_capacity(2 * entries_);  // far more (smaller) entries than when it was sized
  }
  evict_entries(evicted);
  adapt(key_hash, weight);
}

void WTinyLfuPolicy::on_remove(Slot slot) {
  if (!resident(slot)) return;
  move(slot, Region::none);
  weight_ -= weights_[slot];
  --entries_;
}

void WTinyLfuPolicy::evict(Slot slot, std::vector<Slot>& evicted) {
  evicted.push_back(slot);
  full_ = true;
  on_remove(slot);
}

void WTinyLfuPolicy::evict_entries(std::vector<Slot>& evicted) {
  // The window's overflow goes to probation; each such candidate must win its place there. After the
  // window shrank by much, the overflow moves over several calls.
  for (std::uint64_t moved = 0; window_weight_ > window_maximum_ && !window_.empty() && moved < transfer_limit;
       ++moved) {
    Slot candidate = window_.front();
    move(candidate, Region::probation);
    admit_or_evict(candidate, evicted);
  }
  // Over the capacity with the window within its share (after the climber grew the window): the
  // main space's LRU end goes, then the window's.
  while (weight_ > capacity_) {
    Slot victim = !probation_.empty() ? probation_.front() : !protected_.empty() ? protected_.front() : window_.front();
    if (victim == no_slot) break;
    evict(victim, evicted);
  }
}

void WTinyLfuPolicy::admit_or_evict(Slot candidate, std::vector<Slot>& evicted) {
  while (weight_ > capacity_) {
    // The candidate is at probation's back, so the front is another entry unless it is alone.
    Slot victim = probation_.front() != candidate ? probation_.front() : protected_.front();
    if (victim == no_slot) {
      evict(candidate, evicted);
      return;
    }
    if (admit(hashes_[candidate], hashes_[victim])) {
      evict(victim, evicted);
    } else {
      evict(candidate, evicted);
      return;
    }
  }
}

bool WTinyLfuPolicy::admit(std::uint64_t candidate_hash, std::uint64_t victim_hash) {
  int victim_frequency = sketch_->frequency(victim_hash);
  int candidate_frequency = sketch_->frequency(candidate_hash);
  if (candidate_frequency > victim_frequency) return true;
  if (candidate_frequency < hash_flood_threshold) return false;
  random_ ^= random_ << 13;
  random_ ^= random_ >> 7;
  random_ ^= random_ << 17;
  return (random_ & 127) == 0;
}

void WTinyLfuPolicy::demote_from_protected() {
  for (std::uint64_t moved = 0; protected_weight_ > protected_maximum_ && moved < transfer_limit; ++moved) {
    move(protected_.front(), Region::probation);
  }
}

void WTinyLfuPolicy::adapt(std::uint64_t key_hash, std::uint64_t weight) {
  switch (adaptation_) {
    case WindowAdaptation::mini_simulation:
      if (follower_) {
        follow_shared_window();
      } else {
        replay_in_simulation(key_hash, weight);
      }
      break;
    case WindowAdaptation::hill_climbing:
      climb();
      break;
    case WindowAdaptation::fixed:
      break;
  }
}

void WTinyLfuPolicy::replay_in_simulation(std::uint64_t key_hash, std::uint64_t weight) {
  if (simulation_ && simulation_->record(key_hash, weight, full_)) {
    double share = simulation_->best_window_share();
    resize_window(static_cast<std::uint64_t>(share * static_cast<double>(capacity_)));
    if (shared_window_) {
      shared_window_->bits.store(std::bit_cast<std::uint64_t>(share), std::memory_order_relaxed);
    }
  }
}

void WTinyLfuPolicy::share_window(std::shared_ptr<SharedWindowShare> shared, bool leader) {
  if (adaptation_ != WindowAdaptation::mini_simulation) return;
  shared_window_ = std::move(shared);
  follower_ = shared_window_ && !leader;
}

void WTinyLfuPolicy::follow_shared_window() {
  // A relaxed load of a line the leader writes once per period at most: it stays in this core's cache.
  std::uint64_t published = shared_window_->bits.load(std::memory_order_relaxed);
  if (published == followed_share_) return;
  followed_share_ = published;
  double share = std::bit_cast<double>(published);
  resize_window(static_cast<std::uint64_t>(share * static_cast<double>(capacity_)));
}

void WTinyLfuPolicy::resize_window(std::uint64_t window_maximum) {
  // Only the limits change: a larger window fills with new entries while the main space's LRU end
  // is evicted, a smaller one sends its overflow to probation over the next insertions (a bounded
  // number per call), and protected demotes its overflow on the next promotions.
  window_maximum_ = std::min(window_maximum, capacity_ - probation_share_);
  protected_maximum_ = capacity_ - probation_share_ - window_maximum_;
}

void WTinyLfuPolicy::climb() {
  std::uint64_t requests = hits_in_sample_ + misses_in_sample_;
  if (!sketch_->initialized() || requests < sketch_->sample_size()) return;
  double hit_rate = static_cast<double>(hits_in_sample_) / static_cast<double>(requests);
  double change = hit_rate - previous_hit_rate_;
  double amount = change >= 0 ? step_size_ : -step_size_;
  step_size_ = std::abs(change) >= restart_threshold
                   ? step_percent * static_cast<double>(capacity_) * (amount >= 0 ? 1.0 : -1.0)
                   : step_decay * amount;
  previous_hit_rate_ = hit_rate;
  hits_in_sample_ = misses_in_sample_ = 0;
  if (amount >= 1.0) {
    increase_window(static_cast<std::uint64_t>(amount));
  } else if (amount <= -1.0) {
    decrease_window(static_cast<std::uint64_t>(-amount));
  }
}

void WTinyLfuPolicy::increase_window(std::uint64_t amount) {
  if (protected_maximum_ == 0) return;
  std::uint64_t quota = std::min(amount, protected_maximum_);
  protected_maximum_ -= quota;
  window_maximum_ += quota;
  demote_from_protected();
  // Main's LRU entries (probation first) join the window's most recent end, up to the quota.
  for (std::uint64_t moved = 0; moved < transfer_limit; ++moved) {
    Slot candidate = probation_.front();
    if (candidate == no_slot || weights_[candidate] > quota) candidate = protected_.front();
    if (candidate == no_slot || weights_[candidate] > quota) break;
    quota -= weights_[candidate];
    move(candidate, Region::window);
  }
  // What could not be moved stays with the main space.
  protected_maximum_ += quota;
  window_maximum_ -= quota;
}

void WTinyLfuPolicy::decrease_window(std::uint64_t amount) {
  if (window_maximum_ <= 1) return;
  std::uint64_t quota = std::min(amount, window_maximum_ - 1);
  protected_maximum_ += quota;
  window_maximum_ -= quota;
  for (std::uint64_t moved = 0; moved < transfer_limit; ++moved) {
    Slot candidate = window_.front();
    if (candidate == no_slot || weights_[candidate] > quota) break;
    quota -= weights_[candidate];
    move(candidate, Region::probation);
  }
  protected_maximum_ -= quota;
  window_maximum_ += quota;
}

}  // namespace tachyon::cache
