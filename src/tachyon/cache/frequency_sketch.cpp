#include "tachyon/cache/frequency_sketch.hpp"

#include <algorithm>
#include <bit>

namespace tachyon::cache {

namespace {

constexpr std::uint64_t low_bits = 0x1111111111111111ULL;   // bit 0 of every counter
constexpr std::uint64_t keep_bits = 0x7777777777777777ULL;  // what survives a right shift by one

}  // namespace

void FrequencySketch::ensure_capacity(std::uint64_t expected_entries) {
  std::uint64_t entries = std::clamp<std::uint64_t>(expected_entries, 1, std::uint64_t{1} << 30);
  std::uint64_t words = std::max<std::uint64_t>(std::bit_ceil(entries), 8);
  if (words <= table_.size()) return;
  table_.assign(words, 0);
  block_mask_ = (words >> 3) - 1;
  capacity_ = entries;
  sample_size_ = 10 * entries;
  size_ = 0;
}

void FrequencySketch::positions(std::uint64_t key_hash, Position (&out)[4]) const {
  std::uint64_t hash = mix(key_hash);
  std::uint64_t block = (hash & block_mask_) << 3;
  auto counters = static_cast<std::uint32_t>(hash >> 32);
  for (unsigned index = 0; index < 4; ++index) {
    std::uint32_t bits = counters >> (index * 8);
    // Counter `index` lives in word pair `index` of the block: bit 0 picks the word, bits 1-4 the
    // counter among its sixteen.
    out[index].word = block + index * 2 + (bits & 1);
    out[index].shift = (bits & 30) << 1;  // ((bits >> 1) & 15) * 4
  }
}

int FrequencySketch::frequency(std::uint64_t key_hash) const {
  if (table_.empty()) return 0;
  Position counters[4];
  positions(key_hash, counters);
  int frequency = 15;
  for (const Position& counter : counters) {
    frequency = std::min(frequency, static_cast<int>((table_[counter.word] >> counter.shift) & 15));
  }
  return frequency;
}

// Out of line, so that increment() stays a small leaf function: it runs once per sample period.
[[gnu::noinline, gnu::cold]] void FrequencySketch::reset() {
  std::uint64_t odd = 0;
  for (std::uint64_t& word : table_) {
    odd += static_cast<std::uint64_t>(std::popcount(word & low_bits));
    word = (word >> 1) & keep_bits;
  }
  // Each key's increment touched four counters, so four lost halves are about one increment.
  std::uint64_t lost = odd / 4;
  size_ = size_ > lost ? (size_ - lost) / 2 : 0;
  ++resets_;
}

}  // namespace tachyon::cache
