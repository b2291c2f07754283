// Window TinyLFU: an LRU window for new entries in front of a segmented-LRU main space guarded by a
// frequency filter, with the window's share adapted to the workload. Caffeine's eviction policy.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>

#include "tachyon/cache/frequency_sketch.hpp"
#include "tachyon/cache/policy.hpp"

namespace tachyon::cache {

// Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy" (ACM ToS 2017),
// with the adaptive window of Einziger, Eytan, Friedman, Manes, "Adaptive Software Cache Management"
// (Middleware 2018), in the shape of Caffeine's BoundedLocalCache:
//
//  - A new entry enters the window, an LRU queue of initially 20 % of the capacity (Caffeine: 1 %,
//    see below and BENCHMARKS.md §7 for why not here). Recency wins
//    there: a burst of new keys is served from the window without touching the main space.
//  - The window's LRU victims move to the main space, a segmented LRU: probation (about 20 %) and
//    protected (about 80 %). A hit in probation promotes the entry to protected; protected's LRU
//    entries are demoted back to probation when it overflows.
//  - When the total weight exceeds the capacity, the window's victim (the candidate) and probation's
//    LRU entry (the victim) duel: the one the FrequencySketch has seen more often recently stays.
//    Ties go to the victim, so a one-hit wonder cannot push out an entry with history, and a scan
//    of new keys leaves the main space alone. As in Caffeine, a warm candidate (frequency >= 6) that
//    loses is still admitted once in 128 at random, so an attacker who floods the sketch with
//    collisions cannot pin the victims forever.
//  - The window's share adapts (WindowAdaptation). By default, miniature simulation (the MiniSim
//    climber of the Middleware 2018 paper, window_simulation.hpp): nine small W-TinyLFU caches with
//    windows of 0 %, 10 % ... 80 % replay a hash-sampled subset of the keys from the moment the
//    sketch is sized; after each period the window takes the share of the miniature with the fewest
//    recent misses (with hysteresis against noise). All the candidates see the same traffic, so a
//    change of the hit ratio over the day does not mislead it the way it misleads the climber.
//    Resizing only changes the limits (probation keeps its share, protected gets the rest); the
//    entries move over the following operations, a bounded number per call.
//  - Or Caffeine's hill climbing: every sample period (10 x the sketch's capacity in hits + misses), the hit
//    ratio is compared with the previous period's; if it improved, the window keeps moving in the
//    same direction, else it turns. The step starts at 6.25 % of the capacity, decays by 2 % per
//    period, and restarts at full size when the hit ratio changes by 5 points (a new workload
//    phase). Recency-biased traces thus grow the window (towards LRU), frequency-biased ones shrink
//    it. Each adjustment moves at most 1000 entries between the spaces, so its cost is amortized O(1).
//
// Weights: the window and segment sizes are weights (bytes) like the capacity; an entry heavier than
// the capacity is refused at once. The sketch is sized by entry count when the cache is first half
// full (Caffeine's rule for weighted caches: it cannot know the count before).
class WindowSimulation;

// The window share (of the capacity) that one shard's miniatures chose, for the other shards of the
// same cache to follow; the bits of a double, so that the followers compute the very same window.
// See WTinyLfuPolicy::share_window.
struct SharedWindowShare {
  static constexpr std::uint64_t none = std::bit_cast<std::uint64_t>(-1.0);  // nothing published yet
  std::atomic<std::uint64_t> bits{none};
};

// How the window's share of the capacity adapts to the workload.
enum class WindowAdaptation : std::uint8_t {
  mini_simulation,  // follow the best of nine miniature caches (window_simulation.hpp)
  hill_climbing,    // Caffeine's climber (above)
  fixed,            // never: the initial share stays
};

class WTinyLfuPolicy final : public EvictionPolicy {
 public:
  // initial_window_share: the window's part of the capacity before the adaptation moves it (Caffeine,
  // whose climber starts there: 1 %; pass 0.01 with hill_climbing for its behaviour). The miniatures
  // decide only after the cache has filled and a period has passed; until then 20 % loses less than
  // 1 % on recency-biased workloads and little on frequency-biased ones. See BENCHMARKS.md §7.
  explicit WTinyLfuPolicy(std::uint64_t capacity, double initial_window_share = 0.2,
                          WindowAdaptation adaptation = WindowAdaptation::mini_simulation);
  // A fixed-window policy whose frequencies come from `shared_sketch`, which the caller increments
  // (record_lookup does not) and which must outlive the policy. For WindowSimulation's miniatures:
  // they all see the same accesses, so separate sketches would hold the same counts. The first of
  // them to reach half its capacity sizes it (all do on the same access, as nothing was evicted yet).
  WTinyLfuPolicy(std::uint64_t capacity, FrequencySketch& shared_sketch);
  ~WTinyLfuPolicy() override;
  WTinyLfuPolicy(const WTinyLfuPolicy&) = delete;
  WTinyLfuPolicy& operator=(const WTinyLfuPolicy&) = delete;
  PolicyKind kind() const override { return PolicyKind::w_tinylfu; }
  void record_lookup(std::uint64_t key_hash) override;
  void on_hit(Slot slot) override;
  void on_insert(Slot slot, std::uint64_t key_hash, std::uint64_t weight, std::vector<Slot>& evicted) override;
  void on_remove(Slot slot) override;
  std::uint64_t weight() const override { return weight_; }
  std::uint64_t capacity() const override { return capacity_; }

  // For tests and the simulator: the current split of the capacity and the sketch.
  std::uint64_t window_maximum() const { return window_maximum_; }
  std::uint64_t protected_maximum() const { return protected_maximum_; }
  std::uint64_t window_weight() const { return window_weight_; }
  std::uint64_t protected_weight() const { return protected_weight_; }
  const FrequencySketch& sketch() const { return *sketch_; }
  WindowAdaptation adaptation() const { return adaptation_; }

  // For a cache of several shards, each with its own policy: the shards see statistically alike
  // traffic (keys are spread by hash), so one of them, the leader, runs the miniature simulation and
  // publishes its choice in `shared`; the followers run none (no sampled replays, so a hit costs them
  // no simulation work) and take the published share at their next insertion. The leader's sample
  // is then 1 key in (R x shards) of the whole cache, as one cache-wide simulation's would be, with
  // miniatures of the same size. Call before the first access; only with mini_simulation.
  void share_window(std::shared_ptr<SharedWindowShare> shared, bool leader);

  // Sets the window's limit (weight). Probation keeps its initial share of the capacity and protected
  // gets the rest, as when Caffeine's climber trades window against protected, so the window can grow
  // to the capacity less probation (80 % by default). O(1): the entries move over later operations.
  void resize_window(std::uint64_t window_maximum);

 private:
  enum class Region : std::uint8_t { none, window, probation, protected_ };

  bool resident(Slot slot) const { return slot < region_.size() && region_[slot] != Region::none; }
  SlotList& list_of(Region region);
  void move(Slot slot, Region to);  // to the back (most recent end) of `to`, keeping the weights right
  void evict(Slot slot, std::vector<Slot>& evicted);
  void evict_entries(std::vector<Slot>& evicted);
  void admit_or_evict(Slot candidate, std::vector<Slot>& evicted);
  bool admit(std::uint64_t candidate_hash, std::uint64_t victim_hash);
  void demote_from_protected();
  void adapt(std::uint64_t key_hash, std::uint64_t weight);
  void replay_in_simulation(std::uint64_t key_hash, std::uint64_t weight);
  void follow_shared_window();
  void climb();
  void increase_window(std::uint64_t amount);
  void decrease_window(std::uint64_t amount);

  std::uint64_t capacity_;
  std::uint64_t weight_ = 0;
  std::uint64_t entries_ = 0;
  std::uint64_t window_maximum_;
  std::uint64_t protected_maximum_;
  std::uint64_t probation_share_;  // capacity - window - protected at construction
  bool full_ = false;              // an entry was evicted for room once
  std::uint64_t window_weight_ = 0;
  std::uint64_t protected_weight_ = 0;

  SlotLinks links_;  // an entry is in exactly one of the three queues
  SlotList window_;
  SlotList probation_;
  SlotList protected_;
  std::vector<Region> region_;          // by slot
  std::vector<std::uint64_t> weights_;  // by slot
  std::vector<std::uint64_t> hashes_;   // by slot, for the sketch's estimates

  FrequencySketch own_sketch_;
  FrequencySketch* sketch_ = &own_sketch_;        // own_sketch_, or a miniature's shared one
  bool owns_sketch_ = true;                       // record_lookup increments it
  std::uint64_t random_ = 0x2545f4914f6cdd1dULL;  // xorshift state for the 1-in-128 admissions

  WindowAdaptation adaptation_;
  std::unique_ptr<WindowSimulation> simulation_;      // mini_simulation: from the sketch's sizing on
  bool lookup_sampled_ = false;                       // the last record_lookup's key is in the sample
  std::shared_ptr<SharedWindowShare> shared_window_;  // see share_window
  bool follower_ = false;
  std::uint64_t followed_share_ = SharedWindowShare::none;  // the last published bits taken

  // Hill climber state.
  std::uint64_t hits_in_sample_ = 0;
  std::uint64_t misses_in_sample_ = 0;
  double previous_hit_rate_ = 0.0;
  double step_size_;
};

}  // namespace tachyon::cache
