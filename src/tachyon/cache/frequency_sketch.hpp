// How often a key was seen recently, approximately, in 4 bits per counter: the memory of W-TinyLFU's
// admission filter, which also learns from misses (keys that are not in the cache).
#pragma once

#include <cstdint>
#include <vector>

namespace tachyon::cache {

// A count-min sketch of 4-bit counters (Cormode & Muthukrishnan 2005) with TinyLFU's aging (Einziger,
// Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", ACM ToS 2017), laid out like
// Caffeine's FrequencySketch: the table is an array of 64-bit words of sixteen counters each, grouped
// in blocks of eight words (one 64-byte cache line); a key's four counters all lie in one block, one
// in each pair of words, so an increment or an estimate touches one cache line. The estimate is the
// smallest of the four (count-min: collisions only ever add). Counters saturate at 15.
//
// Aging ("reset"): after sample_size() increments that changed a counter, every counter is halved,
// so the sketch reflects recent popularity and a key that was hot yesterday fades. The increments
// counted so far are halved too, less the odd counters' lost halves (Caffeine's correction).
//
// No doorkeeper (the paper's Bloom filter in front of the sketch that keeps one-hit wonders out of
// the counters): Caffeine leaves it out too, trading a little accuracy for one memory access less.
class FrequencySketch {
 public:
  // Sizes the table for about `expected_entries` distinct keys (a power of two, at least one block)
  // and forgets every count. Until called, the sketch counts nothing and estimates 0.
  void ensure_capacity(std::uint64_t expected_entries);
  bool initialized() const { return !table_.empty(); }

  // key_hash: any 64-bit hash of the key; the sketch mixes it again, so weak hashes do no harm.
  void increment(std::uint64_t key_hash) {  // inline: once per lookup
    if (table_.empty()) return;
    // The counters of positions(), unrolled. A hot key's four counters are usually all at 15: then
    // nothing changes (one predictable branch). Otherwise each counter below 15 gets one added, one
    // at 15 gets zero, without a branch each (a coin toss in a busy sketch), and the increment counts
    // towards the reset.
    std::uint64_t hash = mix(key_hash);
    std::uint64_t* block = table_.data() + ((hash & block_mask_) << 3);
    auto counters = static_cast<std::uint32_t>(hash >> 32);
    std::uint64_t* words[4];
    unsigned shifts[4];
    std::uint64_t values[4];
    std::uint64_t all = 15;
    for (unsigned index = 0; index < 4; ++index) {
      std::uint32_t bits = counters >> (index * 8);
      words[index] = block + index * 2 + (bits & 1);
      shifts[index] = (bits & 30) << 1;  // ((bits >> 1) & 15) * 4
      values[index] = (*words[index] >> shifts[index]) & 15;
      all &= values[index];
    }
    if (all == 15) return;
    for (unsigned index = 0; index < 4; ++index) {
      *words[index] += static_cast<std::uint64_t>(values[index] != 15) << shifts[index];
    }
    if (++size_ >= sample_size_) [[unlikely]]
      reset();
  }
  int frequency(std::uint64_t key_hash) const;  // 0..15

  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t sample_size() const { return sample_size_; }  // increments between two resets
  std::uint64_t resets() const { return resets_; }

 private:
  struct Position {
    std::uint64_t word;  // index of the word in table_
    unsigned shift;      // bit offset of the 4-bit counter in that word
  };
  // A 64-bit mixer (the finalizer of Stafford's variant 13, as in splitmix64): every output bit
  // depends on every input bit, so the block and the counters draw on independent bits.
  static std::uint64_t mix(std::uint64_t value) {
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
  }
  // The four counters of a key.
  void positions(std::uint64_t key_hash, Position (&out)[4]) const;
  void reset();  // out of line (cold): once per sample period

  std::vector<std::uint64_t> table_;
  std::uint64_t block_mask_ = 0;
  std::uint64_t capacity_ = 0;
  std::uint64_t sample_size_ = 0;
  std::uint64_t size_ = 0;  // increments since the last reset (halved by it)
  std::uint64_t resets_ = 0;
};

}  // namespace tachyon::cache
