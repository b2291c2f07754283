// W-TinyLFU's window sizing by miniature simulation: small copies of the cache, each with a fixed
// window share, replay a hash-sampled subset of the keys, and the real window follows the best one.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tachyon/cache/frequency_sketch.hpp"

namespace tachyon::cache {

// The MiniSim climber of Einziger, Eytan, Friedman, Manes, "Adaptive Software Cache Management"
// (Middleware 2018; Caffeine's simulator, MiniSimClimber), built on the miniature simulations of
// Waldspurger et al., "Cache Modeling and Optimization using Miniature Simulation" (USENIX ATC 2017):
// a key belongs to the sample when its hash falls in 1/R of the hash space, and a cache of 1/R of the
// capacity fed only the sampled keys has about the hit ratio of the full cache. Nine miniatures
// (window 0 %, 10 % ... 80 %; probation keeps its share, as in Caffeine's targets) see the same recent
// traffic, so unlike a hill climber the choice does not depend on comparing one period's hit ratio
// with the previous one's: a phase change of the workload moves all the miniatures' misses together
// and only their order matters. Each period (from the real cache's first eviction on) a miniature's
// score is half its previous score plus the period's misses; the window goes to the lowest score,
// with hysteresis: shares within one standard deviation of the best count as equal, and of those the
// one nearest the current window wins (noise between near-equal shares would swing it otherwise).
//
// Cost: a sampled access is replayed in every miniature (about 9 x a W-TinyLFU operation, less the
// sketch increment: they share one sketch, incremented once per access); R is chosen so that a
// miniature holds about 128 entries (R = 1 below 256 entries), so for large caches almost no access
// is sampled. Each miniature is a fixed-window WTinyLfuPolicy with its own queues and key table;
// nothing allocates per access once the tables have grown to the miniatures' sizes.
class WindowSimulation {
 public:
  // capacity: the real cache's (bytes); expected_entries: how many entries fill it (an estimate);
  // initial_share: what best_window_share() says until the first period ends.
  WindowSimulation(std::uint64_t capacity, std::uint64_t expected_entries, double initial_share);
  ~WindowSimulation();
  WindowSimulation(const WindowSimulation&) = delete;
  WindowSimulation& operator=(const WindowSimulation&) = delete;

  // Every access of the real cache (hit or miss) with the entry's weight; full: whether the real
  // cache has filled (the periods start then, earlier accesses only warm the miniatures). Returns
  // true when a period ended and best_window_share() may have changed.
  bool record(std::uint64_t key_hash, std::uint64_t weight, bool full) {
    if (!sampled(key_hash)) return false;
    return replay(key_hash, weight, full);
  }

  // The window share (0..1) of the miniature with the fewest recent misses.
  double best_window_share() const { return best_share_; }
  // Whether the key is in the sample (1 in R keys, by hash).
  bool sampled(std::uint64_t key_hash) const {
    // A mix independent of the sketch's and of the store's use of the low bits; its top 32 bits
    // fall below 2^32 / R for 1 key in R (a compare, no division on the hot path).
    std::uint64_t mixed = (key_hash ^ (key_hash >> 29)) * 0xbf58476d1ce4e5b9ULL;
    return (mixed >> 32) < sample_threshold_;
  }
  std::uint64_t sampling_rate() const { return sampling_rate_; }  // R: 1 key in R is replayed

 private:
  struct Miniature;

  bool replay(std::uint64_t key_hash, std::uint64_t weight, bool full);
  bool choose();  // false: the miniatures' scores are all equal, keep the window

  std::uint64_t sampling_rate_;
  std::uint64_t sample_threshold_;  // 2^32 / R
  std::uint64_t period_;            // sampled accesses between two choices
  std::uint64_t sampled_in_period_ = 0;
  bool started_ = false;  // the first period began
  // The miniatures' frequency sketch. They all see the same sampled accesses, and they size it on the
  // same one (at half their capacity, before any eviction), so nine sketches would hold the same
  // counts; one is incremented once per access instead of nine times. Declared before miniatures_,
  // which refer to it.
  FrequencySketch sketch_;
  std::vector<std::unique_ptr<Miniature>> miniatures_;
  double best_share_;
  std::size_t current_ = 0;  // the miniature whose share the real window has
};

}  // namespace tachyon::cache
