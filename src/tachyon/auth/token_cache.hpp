// Verified credentials remembered until they expire, so a repeated request pays a hash-table lookup
// instead of a signature check (EdDSA verification costs tens of microseconds) or a database read (API
// keys). Keyed by the whole credential text, compared in full, so a lookup can never return another
// caller's principal. Bounded: each of its shards holds at most capacity/shards entries and makes room
// by dropping expired entries first, then arbitrary ones. clear() runs whenever a revocation arrives;
// a generation number makes an insert that raced a clear() drop itself.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tachyon/auth/principal.hpp"
#include "tachyon/core/string_hash.hpp"

namespace tachyon::auth {

class TokenCache {
 public:
  explicit TokenCache(std::size_t capacity = 100'000);

  // The principal when `credential` is cached and not expired at `now` (Unix seconds).
  std::shared_ptr<const Principal> find(std::string_view credential, std::int64_t now) const;
  // Read before verifying; insert() keeps the entry only if no clear() happened since.
  std::uint64_t generation() const;
  void insert(std::string_view credential, std::shared_ptr<const Principal> principal, std::int64_t expires_at,
              std::uint64_t generation_before);
  void clear();
  std::size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const Principal> principal;
    std::int64_t expires_at;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry, core::TransparentStringHash, std::equal_to<>> entries;
  };
  static constexpr std::size_t shard_count = 16;

  Shard& shard_of(std::string_view credential) const;

  std::size_t shard_capacity_;
  mutable std::array<Shard, shard_count> shards_;
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace tachyon::auth
