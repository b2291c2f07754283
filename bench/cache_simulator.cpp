// Hit ratios of the local cache's eviction policies on an access trace: replays every access through
// each policy at each capacity (unit weights, so capacities count entries) and prints a Markdown table,
// with Belady's offline optimum as the upper bound. Used by bench/cache_hit_ratio.sh.
//
// Usage: cache_simulator [--name NAME] [--capacities 250,500,...] [--policies lru,lfu,...]
//                        [--initial-window SHARE] [--adaptation KIND] [--no-optimal] [TRACE|-]
// --initial-window: W-TinyLFU's window share before the adaptation moves it (default 0.2;
// Caffeine's is 0.01, for its hill climber).
// --adaptation: mini-simulation (default) | hill-climbing (Caffeine's climber) | fixed (no adaptation).
// --no-optimal: skip Belady's optimum (the slowest column).
// TRACE: big-endian signed 32-bit object ids, one per access (the cache2k trace format, decompressed;
// `xz -dc trace.xz | cache_simulator -`).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tachyon/cache/policy.hpp"
#include "tachyon/cache/w_tinylfu_policy.hpp"

namespace {

using tachyon::cache::PolicyKind;
using tachyon::cache::Slot;
using tachyon::cache::WindowAdaptation;

std::vector<std::int32_t> read_trace(std::istream& input) {
  std::vector<std::int32_t> ids;
  unsigned char bytes[4];
  while (input.read(reinterpret_cast<char*>(bytes), 4)) {
    auto value = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
                 std::uint32_t{bytes[3]};
    ids.push_back(static_cast<std::int32_t>(value));
  }
  if (input.gcount() != 0) throw std::runtime_error("trace length is not a multiple of 4 bytes");
  return ids;
}

// What a store would pass as the key's hash: splitmix64 of the id.
std::uint64_t hash_of(std::int32_t id) {
  std::uint64_t value = static_cast<std::uint32_t>(id) + 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

struct Replay {
  std::uint64_t hits = 0;
  std::uint64_t window = 0;  // W-TinyLFU's window at the end
};

// Drives the policy the way the local cache does: record_lookup, then on_hit or on_insert, and drops
// what the policy evicts; slots are reused through a free list.
Replay replay(const std::vector<std::int32_t>& trace, PolicyKind kind, std::uint64_t capacity, double initial_window,
              WindowAdaptation adaptation) {
  std::unique_ptr<tachyon::cache::EvictionPolicy> policy =
      kind == PolicyKind::w_tinylfu
          ? std::make_unique<tachyon::cache::WTinyLfuPolicy>(capacity, initial_window, adaptation)
          : tachyon::cache::make_policy(kind, capacity);
  std::unordered_map<std::int32_t, Slot> slot_of;
  slot_of.reserve(capacity * 2);
  std::vector<std::int32_t> id_of;
  std::vector<Slot> free_slots;
  std::vector<Slot> evicted;
  Replay result;
  for (std::int32_t id : trace) {
    std::uint64_t hash = hash_of(id);
    policy->record_lookup(hash);
    auto found = slot_of.find(id);
    if (found != slot_of.end()) {
      policy->on_hit(found->second);
      ++result.hits;
      continue;
    }
    Slot slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<Slot>(id_of.size());
      id_of.push_back(0);
    }
    id_of[slot] = id;
    slot_of.emplace(id, slot);
    evicted.clear();
    policy->on_insert(slot, hash, 1, evicted);
    for (Slot victim : evicted) {
      slot_of.erase(id_of[victim]);
      free_slots.push_back(victim);
    }
  }
  if (auto* tinylfu = dynamic_cast<tachyon::cache::WTinyLfuPolicy*>(policy.get())) {
    result.window = tinylfu->window_maximum();
  }
  return result;
}

// Belady's MIN (1966): on a miss with a full cache, evict the resident entry used again furthest in the
// future, or do not keep the new one if it is that entry itself (its next use is the furthest). No
// online policy can hit more often.
std::uint64_t optimal_hits(const std::vector<std::int32_t>& trace, std::uint64_t capacity) {
  constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> next_use(trace.size(), never);
  {
    std::unordered_map<std::int32_t, std::size_t> later;
    later.reserve(trace.size() / 4);
    for (std::size_t index = trace.size(); index-- > 0;) {
      auto found = later.find(trace[index]);
      if (found != later.end()) {
        next_use[index] = found->second;
        found->second = index;
      } else {
        later.emplace(trace[index], index);
      }
    }
  }
  // Residents by next use, furthest on top; an entry is resident until its next use comes, so a
  // heap entry (next_use, id) is current exactly when `resident` maps id to that next use.
  std::priority_queue<std::pair<std::size_t, std::int32_t>> furthest;
  std::unordered_map<std::int32_t, std::size_t> resident;
  resident.reserve(capacity * 2);
  std::uint64_t hits = 0;
  for (std::size_t index = 0; index < trace.size(); ++index) {
    std::int32_t id = trace[index];
    auto found = resident.find(id);
    if (found != resident.end()) {
      ++hits;
      found->second = next_use[index];
      furthest.emplace(next_use[index], id);
      continue;
    }
    if (next_use[index] == never) continue;  // never used again: keeping it cannot pay
    if (resident.size() >= capacity) {
      while (true) {  // drop stale heap entries
        auto [use, victim] = furthest.top();
        auto current = resident.find(victim);
        if (current != resident.end() && current->second == use) break;
        furthest.pop();
      }
      if (furthest.top().first <= next_use[index]) continue;  // the newcomer is the furthest
      resident.erase(furthest.top().second);
      furthest.pop();
    }
    resident.emplace(id, next_use[index]);
    furthest.emplace(next_use[index], id);
  }
  return hits;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) parts.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

std::string percent(std::uint64_t hits, std::size_t accesses) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f %%", 100.0 * static_cast<double>(hits) / static_cast<double>(accesses));
  return text;
}

std::string grouped(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (auto position = static_cast<std::ptrdiff_t>(digits.size()) - 3; position > 0; position -= 3) {
    digits.insert(static_cast<std::size_t>(position), ",");
  }
  return digits;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "trace";
  std::string source = "-";
  double initial_window = 0.2;
  WindowAdaptation adaptation = WindowAdaptation::mini_simulation;
  std::string adaptation_name = "mini-simulation";
  bool optimal = true;
  std::vector<std::uint64_t> capacities = {250, 500, 1000, 2000, 4000};
  std::vector<PolicyKind> kinds = {PolicyKind::lru, PolicyKind::fifo, PolicyKind::lfu, PolicyKind::w_tinylfu};
  try {
    for (int index = 1; index < argc; ++index) {
      std::string_view argument = argv[index];
      auto value = [&]() -> std::string_view {
        if (index + 1 >= argc) throw std::invalid_argument(std::string(argument) + " needs a value");
        return argv[++index];
      };
      if (argument == "--name") {
        name = value();
      } else if (argument == "--capacities") {
        capacities.clear();
        for (const std::string& part : split(value())) capacities.push_back(std::stoull(part));
      } else if (argument == "--initial-window") {
        initial_window = std::stod(std::string(value()));
        if (!(initial_window >= 0.0 && initial_window <= 1.0)) throw std::invalid_argument("--initial-window: 0..1");
      } else if (argument == "--adaptation") {
        std::string_view name_of_adaptation = value();
        adaptation_name = name_of_adaptation;
        if (name_of_adaptation == "mini-simulation") {
          adaptation = WindowAdaptation::mini_simulation;
        } else if (name_of_adaptation == "hill-climbing") {
          adaptation = WindowAdaptation::hill_climbing;
        } else if (name_of_adaptation == "fixed") {
          adaptation = WindowAdaptation::fixed;
        } else {
          throw std::invalid_argument("--adaptation: mini-simulation | hill-climbing | fixed");
        }
      } else if (argument == "--no-optimal") {
        optimal = false;
      } else if (argument == "--policies") {
        kinds.clear();
        for (const std::string& part : split(value())) kinds.push_back(tachyon::cache::parse_policy_kind(part));
      } else if (!argument.empty() && argument[0] == '-' && argument != "-") {
        throw std::invalid_argument("unknown option " + std::string(argument));
      } else {
        source = argument;
      }
    }
    std::vector<std::int32_t> trace;
    if (source == "-") {
      trace = read_trace(std::cin);
    } else {
      std::ifstream file(source, std::ios::binary);
      if (!file) throw std::runtime_error("cannot open " + source);
      trace = read_trace(file);
    }
    if (trace.empty()) throw std::runtime_error("empty trace");
    std::vector<std::int32_t> distinct = trace;
    std::sort(distinct.begin(), distinct.end());
    auto keys = static_cast<std::uint64_t>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());

    std::cout << "#### " << name;
    if (initial_window != 0.2 || adaptation != WindowAdaptation::mini_simulation) {
      std::cout << " (W-TinyLFU " << adaptation_name << ", initial window " << initial_window * 100 << " %)";
    }
    std::cout << ": " << grouped(trace.size()) << " accesses, " << grouped(keys) << " distinct keys\n\n| capacity |";
    for (PolicyKind kind : kinds) std::cout << ' ' << tachyon::cache::to_string(kind) << " |";
    std::cout << (optimal ? " optimal |\n|---:|" : "\n|---:|");
    for (std::size_t column = 0; column < kinds.size() + (optimal ? 1 : 0); ++column) std::cout << "---:|";
    std::cout << '\n';
    std::vector<std::vector<Replay>> replays;
    for (std::uint64_t capacity : capacities) {
      std::cout << "| " << grouped(capacity) << " |";
      replays.emplace_back();
      for (PolicyKind kind : kinds) {
        replays.back().push_back(replay(trace, kind, capacity, initial_window, adaptation));
        std::cout << ' ' << percent(replays.back().back().hits, trace.size()) << " |" << std::flush;
      }
      if (optimal) std::cout << ' ' << percent(optimal_hits(trace, capacity), trace.size()) << " |";
      std::cout << '\n' << std::flush;
    }
    std::cout << "W-TinyLFU window at the end (entries):";
    for (std::size_t row = 0; row < capacities.size(); ++row) {
      for (std::size_t column = 0; column < kinds.size(); ++column) {
        if (kinds[column] == PolicyKind::w_tinylfu) {
          std::cout << ' ' << grouped(capacities[row]) << ": " << grouped(replays[row][column].window) << ';';
        }
      }
    }
    std::cout << "\n\n";
  } catch (const std::exception& error) {
    std::cerr << "cache_simulator: " << error.what() << '\n';
    return 2;
  }
  return 0;
}
