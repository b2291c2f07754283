#include "tachyon/cache/redis_tier.hpp"

#include <boost/asio/this_coro.hpp>
#include <charconv>
#include <mutex>

namespace tachyon::cache {

namespace asio = boost::asio;

namespace {

// Lookup and Redis' clock in one round trip: the clock is the fill's start for the tombstone check.
constexpr std::string_view get_script = R"lua(
local now = redis.call('TIME')
return {redis.call('GET', KEYS[1]), now[1], now[2]}
)lua";

// KEYS: value, its tombstone, n tag tombstones, n tag sets. ARGV: payload, px, fill start (µs), n.
// Refuses the fill when the key or a tag was invalidated at or after the fill started.
constexpr std::string_view fill_script = R"lua(
local start = tonumber(ARGV[3])
local tags = tonumber(ARGV[4])
for i = 2, 2 + tags do
  local stamp = redis.call('GET', KEYS[i])
  if stamp and tonumber(stamp) >= start then return 0 end
end
local px = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
for i = 3 + tags, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < px then redis.call('PEXPIRE', KEYS[i], px) end
end
return 1
)lua";

// KEYS: k values, k value tombstones, t tag sets, t tag tombstones. ARGV: k, t, tombstone px,
// channel, message. Deletes, stamps tombstones with Redis' clock (µs), publishes; answers receivers.
constexpr std::string_view invalidate_script = R"lua(
local k = tonumber(ARGV[1])
local t = tonumber(ARGV[2])
local now = redis.call('TIME')
local stamp = now[1] .. string.format('%06d', tonumber(now[2]))
for i = 1, k do
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[k + i], stamp, 'PX', ARGV[3])
end
for i = 1, t do
  local set = KEYS[2 * k + i]
  for _, member in ipairs(redis.call('SMEMBERS', set)) do redis.call('DEL', member) end
  redis.call('DEL', set)
  redis.call('SET', KEYS[2 * k + t + i], stamp, 'PX', ARGV[3])
end
return redis.call('PUBLISH', ARGV[4], ARGV[5])
)lua";

constexpr std::string_view unlock_script = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// Netstring-style fields ("<length>:<bytes>") so keys may hold any byte.
void put_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out.append(field);
}

bool take_field(std::string_view& in, std::string& field) {
  std::size_t colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return false;
  std::size_t length = 0;
  auto [end, error] = std::from_chars(in.data(), in.data() + colon, length);
  if (error != std::errc() || end != in.data() + colon || in.size() - colon - 1 < length) return false;
  field.assign(in.substr(colon + 1, length));
  in.remove_prefix(colon + 1 + length);
  return true;
}

std::int64_t to_integer(const redis::Reply& reply) {
  if (reply.type == redis::Reply::Type::integer) return reply.integer;
  std::int64_t value = 0;
  std::from_chars(reply.text.data(), reply.text.data() + reply.text.size(), value);
  return value;
}

}  // namespace

std::string encode_invalidation(const InvalidationMessage& message) {
  std::string out = "TI1";
  put_field(out, message.origin);
  put_field(out, message.nonce);
  put_field(out, std::to_string(message.keys.size()));
  for (const std::string& key : message.keys) put_field(out, key);
  put_field(out, std::to_string(message.tags.size()));
  for (const std::string& tag : message.tags) put_field(out, tag);
  return out;
}

std::optional<InvalidationMessage> decode_invalidation(std::string_view payload) {
  if (!payload.starts_with("TI1")) return std::nullopt;
  payload.remove_prefix(3);
  InvalidationMessage message;
  auto take_list = [&payload](std::vector<std::string>& list) {
    std::string count_text;
    if (!take_field(payload, count_text)) return false;
    std::size_t count = 0;
    auto [end, error] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    if (error != std::errc() || end != count_text.data() + count_text.size() || count > 100000) return false;
    list.resize(count);
    for (std::string& item : list) {
      if (!take_field(payload, item)) return false;
    }
    return true;
  };
  if (!take_field(payload, message.origin) || !take_field(payload, message.nonce)) return std::nullopt;
  if (!take_list(message.keys) || !take_list(message.tags) || !payload.empty()) return std::nullopt;
  return message;
}

RedisTier::RedisTier(RedisTierOptions options)
    : options_(std::move(options)),
      invalidation_channel_(options_.prefix + "invalidations"),
      clients_([this](asio::io_context& io) {
        auto client = std::make_unique<redis::Client>(io, options_.redis);
        client->start();
        return client;
      }) {}

RedisTier::~RedisTier() = default;

bool RedisTier::connected_on(asio::io_context& io) const {
  const redis::Client* client = clients_.find_here(io);
  return client != nullptr && client->connected();
}

std::string RedisTier::acknowledgement_channel(std::string_view origin) const {
  return options_.prefix + "acks:" + std::string(origin);
}

asio::awaitable<redis::Reply> RedisTier::run(std::vector<std::string> arguments) {
  auto executor = co_await asio::this_coro::executor;
  auto& io = static_cast<asio::io_context&>(asio::query(executor, asio::execution::context));
  redis::Client& client = clients_.here(io);
  redis::Reply reply = co_await client.execute(std::move(arguments));
  if (reply.is_error()) throw redis::RedisError("redis: " + reply.text);
  co_return reply;
}

asio::awaitable<RemoteLookup> RedisTier::get(std::string key) {
  std::vector<std::string> arguments{"EVAL", std::string(get_script), "1", options_.prefix + "v:" + key};
  redis::Reply reply = co_await run(std::move(arguments));
  RemoteLookup found;
  if (reply.type != redis::Reply::Type::array || reply.elements.size() != 3) co_return found;
  found.redis_time_us = to_integer(reply.elements[1]) * 1'000'000 + to_integer(reply.elements[2]);
  const redis::Reply& value = reply.elements[0];
  CacheEntry entry;
  if (value.type == redis::Reply::Type::string && decode_entry(value.text, entry)) found.entry = std::move(entry);
  co_return found;
}

asio::awaitable<bool> RedisTier::fill(std::string key, EntryPointer entry, std::int64_t fill_started_us) {
  std::int64_t remaining_ms = entry->error_until_ms - wall_now_ms();
  if (remaining_ms <= 0) co_return false;
  std::vector<std::string> arguments{"EVAL", std::string(fill_script), ""};
  std::string value_key = options_.prefix + "v:" + key;
  arguments.push_back(value_key);
  arguments.push_back(options_.prefix + "inv:" + key);
  for (const std::string& tag : entry->tags) arguments.push_back(options_.prefix + "invtag:" + tag);
  for (const std::string& tag : entry->tags) arguments.push_back(options_.prefix + "tag:" + tag);
  arguments[2] = std::to_string(arguments.size() - 3);
  arguments.push_back(encode_entry(*entry));
  arguments.push_back(std::to_string(remaining_ms));
  arguments.push_back(std::to_string(fill_started_us));
  arguments.push_back(std::to_string(entry->tags.size()));
  redis::Reply reply = co_await run(std::move(arguments));
  co_return to_integer(reply) == 1;
}

asio::awaitable<bool> RedisTier::try_lock(std::string key, std::string token) {
  std::vector<std::string> arguments{"SET", options_.prefix + "lock:" + key,          std::move(token), "NX",
                                     "PX",  std::to_string(options_.lock_ttl.count())};
  redis::Reply reply = co_await run(std::move(arguments));
  co_return reply.type == redis::Reply::Type::status || reply.type == redis::Reply::Type::string;
}

asio::awaitable<void> RedisTier::unlock(std::string key, std::string token) {
  std::vector<std::string> arguments{"EVAL", std::string(unlock_script), "1", options_.prefix + "lock:" + key,
                                     std::move(token)};
  co_await run(std::move(arguments));
}

asio::awaitable<std::int64_t> RedisTier::invalidate(InvalidationMessage message) {
  std::size_t key_count = message.keys.size();
  std::size_t tag_count = message.tags.size();
  std::vector<std::string> arguments{"EVAL", std::string(invalidate_script),
                                     std::to_string(2 * key_count + 2 * tag_count)};
  for (const std::string& key : message.keys) arguments.push_back(options_.prefix + "v:" + key);
  for (const std::string& key : message.keys) arguments.push_back(options_.prefix + "inv:" + key);
  for (const std::string& tag : message.tags) arguments.push_back(options_.prefix + "tag:" + tag);
  for (const std::string& tag : message.tags) arguments.push_back(options_.prefix + "invtag:" + tag);
  arguments.push_back(std::to_string(key_count));
  arguments.push_back(std::to_string(tag_count));
  arguments.push_back(std::to_string(options_.tombstone_ttl.count()));
  arguments.push_back(invalidation_channel_);
  arguments.push_back(encode_invalidation(message));
  redis::Reply reply = co_await run(std::move(arguments));
  co_return to_integer(reply);
}

asio::awaitable<void> RedisTier::ping() {
  std::vector<std::string> command{"PING"};
  co_await run(std::move(command));
}

asio::awaitable<RedisTier::ServerStats> RedisTier::server_stats() {
  std::vector<std::string> size_command{"DBSIZE"};
  redis::Reply size = co_await run(std::move(size_command));
  std::vector<std::string> info_command{"INFO"};
  redis::Reply info = co_await run(std::move(info_command));
  auto field = [&info](std::string_view name) {
    std::uint64_t value = 0;
    std::string prefix = "\n" + std::string(name) + ":";
    if (std::size_t at = info.text.find(prefix); at != std::string::npos) {
      const char* begin = info.text.data() + at + prefix.size();
      std::from_chars(begin, info.text.data() + info.text.size(), value);
    }
    return value;
  };
  co_return ServerStats{.keys = static_cast<std::uint64_t>(to_integer(size)),
                        .used_memory_bytes = field("used_memory"),
                        .evicted_keys = field("evicted_keys")};
}

asio::awaitable<void> RedisTier::acknowledge(std::string origin, std::string nonce) {
  std::vector<std::string> arguments{"PUBLISH", acknowledgement_channel(origin), std::move(nonce)};
  co_await run(std::move(arguments));
}

}  // namespace tachyon::cache
