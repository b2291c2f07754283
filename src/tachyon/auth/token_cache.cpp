#include "tachyon/auth/token_cache.hpp"

#include <ctime>

namespace tachyon::auth {

TokenCache::TokenCache(std::size_t capacity) : shard_capacity_(std::max<std::size_t>(1, capacity / shard_count)) {}

TokenCache::Shard& TokenCache::shard_of(std::string_view credential) const {
  // The low bits pick the bucket inside a shard; the shard comes from the high bits.
  return shards_[(std::hash<std::string_view>{}(credential) >> 56) % shard_count];
}

std::shared_ptr<const Principal> TokenCache::find(std::string_view credential, std::int64_t now) const {
  Shard& shard = shard_of(credential);
  std::lock_guard lock(shard.mutex);
  auto found = shard.entries.find(credential);
  if (found == shard.entries.end() || found->second.expires_at <= now) return nullptr;
  return found->second.principal;
}

std::uint64_t TokenCache::generation() const {
  return generation_.load(std::memory_order_acquire);
}

void TokenCache::insert(std::string_view credential, std::shared_ptr<const Principal> principal,
                        std::int64_t expires_at, std::uint64_t generation_before) {
  Shard& shard = shard_of(credential);
  std::lock_guard lock(shard.mutex);
  if (generation_.load(std::memory_order_acquire) != generation_before) return;
  if (shard.entries.size() >= shard_capacity_) {
    const std::int64_t now = std::time(nullptr);
    std::erase_if(shard.entries, [now](const auto& entry) { return entry.second.expires_at <= now; });
    if (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
  }
  shard.entries.insert_or_assign(std::string(credential), Entry{std::move(principal), expires_at});
}

void TokenCache::clear() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.entries.clear();
  }
}

std::size_t TokenCache::size() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.entries.size();
  }
  return total;
}

}  // namespace tachyon::auth
