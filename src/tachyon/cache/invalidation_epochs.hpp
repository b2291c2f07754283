// Guards cache fills against invalidations that happen while the loader runs: a fill notes the
// epochs of its key and tags before loading and stores its result only if none moved meanwhile.
// Without this, a read that started before a write could put the pre-write value back after the
// write invalidated it. Epochs live in a fixed array of buckets (hash of the name), so a collision
// costs at most one skipped fill, never a stale entry.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::cache {

class InvalidationEpochs {
 public:
  static constexpr std::size_t bucket_count = 4096;

  struct Snapshot {
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets;
  };

  Snapshot snapshot(std::string_view key, const std::vector<std::string>& tags) const {
    Snapshot taken;
    taken.buckets.reserve(1 + tags.size());
    auto note = [&](std::string_view name) {
      std::size_t bucket = bucket_of(name);
      taken.buckets.emplace_back(bucket, epochs_[bucket].load(std::memory_order_acquire));
    };
    note(key);
    for (const std::string& tag : tags) note(tag_name(tag));
    return taken;
  }

  bool unchanged(const Snapshot& taken) const {
    for (const auto& [bucket, epoch] : taken.buckets) {
      if (epochs_[bucket].load(std::memory_order_acquire) != epoch) return false;
    }
    return true;
  }

  void bump_key(std::string_view key) { bump(key); }
  void bump_tag(std::string_view tag) { bump(tag_name(tag)); }
  // Every fill in flight loses (after missed invalidations, e.g. a pub/sub reconnect).
  void bump_all() {
    for (auto& epoch : epochs_) epoch.fetch_add(1, std::memory_order_acq_rel);
  }

 private:
  static std::string tag_name(std::string_view tag) { return "#tag:" + std::string(tag); }
  static std::size_t bucket_of(std::string_view name) { return std::hash<std::string_view>{}(name) % bucket_count; }
  void bump(std::string_view name) { epochs_[bucket_of(name)].fetch_add(1, std::memory_order_acq_rel); }

  std::array<std::atomic<std::uint64_t>, bucket_count> epochs_{};
};

}  // namespace tachyon::cache
