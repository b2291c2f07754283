#include "tachyon/cache/entry.hpp"

#include <cstring>

#include "tachyon/http/http_date.hpp"

namespace tachyon::cache {

namespace {

// Format version 2: "TC2" then fields in order (version 1 had no made_at; its entries are misses); integers are 8-byte
// little-endian, strings are a 4-byte length followed by the bytes, the tag list a 4-byte count followed by strings.
constexpr std::string_view magic = "TC2";
// Map node, shared_ptr control block, key and entry headers: what an entry costs beyond its payload.
constexpr std::uint64_t bookkeeping_bytes = 160;

void put_u64(std::string& out, std::uint64_t value) {
  for (int shift = 0; shift < 64; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put_u32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

void put_string(std::string& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool u64(std::uint64_t& value) {
    if (bytes_.size() < 8) return false;
    value = 0;
    for (int index = 7; index >= 0; --index) value = (value << 8) | static_cast<unsigned char>(bytes_[index]);
    bytes_.remove_prefix(8);
    return true;
  }
  bool u32(std::uint32_t& value) {
    if (bytes_.size() < 4) return false;
    value = 0;
    for (int index = 3; index >= 0; --index) value = (value << 8) | static_cast<unsigned char>(bytes_[index]);
    bytes_.remove_prefix(4);
    return true;
  }
  bool string(std::string& value) {
    std::uint32_t length = 0;
    if (!u32(length) || bytes_.size() < length) return false;
    value.assign(bytes_.substr(0, length));
    bytes_.remove_prefix(length);
    return true;
  }
  bool empty() const { return bytes_.empty(); }

 private:
  std::string_view bytes_;
};

}  // namespace

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(WallClock::now().time_since_epoch()).count();
}

std::uint64_t CacheEntry::weight(std::string_view key) const {
  std::uint64_t total = bookkeeping_bytes + key.size() + body.size() + content_type.size() + etag.size();
  for (const std::string& tag : tags) total += tag.size() + 32;
  return total;
}

void CacheEntry::set_made_at(std::int64_t wall_ms) {
  made_at_ms = wall_ms;
  last_modified = http::format_http_date(wall_ms / 1000);
}

std::string_view to_string(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::hit:
      return "HIT";
    case CacheOutcome::miss:
      return "MISS";
    case CacheOutcome::stale:
      return "STALE";
  }
  return "MISS";
}

std::string encode_entry(const CacheEntry& entry) {
  std::string out;
  out.reserve(64 + entry.body.size() + entry.content_type.size() + entry.etag.size());
  out.append(magic);
  put_u64(out, static_cast<std::uint64_t>(entry.status));
  put_u64(out, static_cast<std::uint64_t>(entry.fresh_until_ms));
  put_u64(out, static_cast<std::uint64_t>(entry.stale_until_ms));
  put_u64(out, static_cast<std::uint64_t>(entry.error_until_ms));
  put_u64(out, static_cast<std::uint64_t>(entry.made_at_ms));
  put_string(out, entry.content_type);
  put_string(out, entry.etag);
  put_u32(out, static_cast<std::uint32_t>(entry.tags.size()));
  for (const std::string& tag : entry.tags) put_string(out, tag);
  put_string(out, entry.body);
  return out;
}

bool decode_entry(std::string_view bytes, CacheEntry& out) {
  if (!bytes.starts_with(magic)) return false;
  Reader reader(bytes.substr(magic.size()));
  std::uint64_t status = 0;
  std::uint64_t fresh = 0;
  std::uint64_t stale = 0;
  std::uint64_t error = 0;
  std::uint64_t made_at = 0;
  std::uint32_t tag_count = 0;
  CacheEntry entry;
  if (!reader.u64(status) || !reader.u64(fresh) || !reader.u64(stale) || !reader.u64(error) || !reader.u64(made_at)) {
    return false;
  }
  if (!reader.string(entry.content_type) || !reader.string(entry.etag) || !reader.u32(tag_count)) return false;
  if (status < 100 || status > 599 || tag_count > 1024) return false;
  entry.tags.resize(tag_count);
  for (std::string& tag : entry.tags) {
    if (!reader.string(tag)) return false;
  }
  if (!reader.string(entry.body) || !reader.empty()) return false;
  entry.status = static_cast<int>(status);
  entry.fresh_until_ms = static_cast<std::int64_t>(fresh);
  entry.stale_until_ms = static_cast<std::int64_t>(stale);
  entry.error_until_ms = static_cast<std::int64_t>(error);
  entry.set_made_at(static_cast<std::int64_t>(made_at));
  if (entry.stale_until_ms < entry.fresh_until_ms || entry.error_until_ms < entry.stale_until_ms) return false;
  out = std::move(entry);
  return true;
}

}  // namespace tachyon::cache
