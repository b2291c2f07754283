#include "tachyon/config/cache_route.hpp"

#include <array>
#include <vector>

namespace tachyon::config {

namespace {

using namespace std::chrono_literals;

constexpr std::array<std::string_view, 4> policy_names{"lru", "lfu", "fifo", "w-tinylfu"};
constexpr std::chrono::milliseconds longest_window = 24h * 30;

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t index = 0; index <= text.size(); ++index) {
    if (index == text.size() || text[index] == ' ' || text[index] == ',' || text[index] == '\t') {
      if (index > start) fields.push_back(text.substr(start, index - start));
      start = index + 1;
    }
  }
  return fields;
}

// Applies one `name=value` field; returns why it is wrong, or an empty string.
std::string apply_field(std::string_view field, CacheRouteSetting& setting) {
  std::size_t equals = field.find('=');
  if (equals == std::string_view::npos) {
    return "has \"" + std::string(field) + "\" where a field such as ttl=60s was expected";
  }
  std::string_view name = field.substr(0, equals);
  std::string_view value = field.substr(equals + 1);
  auto duration = [&](std::chrono::milliseconds& out, std::chrono::milliseconds minimum) -> std::string {
    ParseResult<std::chrono::milliseconds> parsed = parse_duration(value, minimum, longest_window);
    if (!parsed.ok()) return "has " + std::string(name) + "=" + std::string(value) + " that " + parsed.reason;
    out = *parsed.value;
    return "";
  };
  if (name == "ttl") return duration(setting.ttl, 1s);
  if (name == "stale") return duration(setting.stale_while_revalidate, 0ms);
  if (name == "error") return duration(setting.stale_if_error, 0ms);
  if (name == "bytes") {
    ParseResult<std::uint64_t> parsed = parse_size(value, 64 * 1024, 16ull * 1024 * 1024 * 1024);
    if (!parsed.ok()) return "has bytes=" + std::string(value) + " that " + parsed.reason;
    setting.bytes = *parsed.value;
    return "";
  }
  if (name == "policy") {
    ParseResult<std::size_t> parsed = parse_choice(value, policy_names);
    if (!parsed.ok()) return "has policy=" + std::string(value) + " that is not one of lru, lfu, fifo, w-tinylfu";
    setting.policy = std::string(policy_names[*parsed.value]);
    return "";
  }
  return "has an unknown field \"" + std::string(name) + "\" (known: ttl, stale, error, bytes, policy)";
}

}  // namespace

ParseResult<CacheRouteSetting> parse_cache_route(std::string_view text, const CacheRouteSetting& base) {
  CacheRouteSetting setting = base;
  if (equals_ignoring_case(text, "off")) {
    setting.enabled = false;
    return {setting, ""};
  }
  std::vector<std::string_view> fields = split_fields(text);
  if (fields.empty()) return {std::nullopt, "is empty; give \"off\" or fields such as ttl=60s stale=30s"};
  setting.enabled = true;
  for (std::string_view field : fields) {
    std::string problem = apply_field(field, setting);
    if (!problem.empty()) return {std::nullopt, problem};
  }
  return {setting, ""};
}

std::string format_cache_route(const CacheRouteSetting& setting) {
  if (!setting.enabled) return "off";
  return "ttl=" + format_duration(setting.ttl) + " stale=" + format_duration(setting.stale_while_revalidate) +
         " error=" + format_duration(setting.stale_if_error) + " bytes=" + format_size(setting.bytes) +
         " policy=" + setting.policy;
}

}  // namespace tachyon::config
