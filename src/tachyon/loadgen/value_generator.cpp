#include "tachyon/loadgen/value_generator.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

namespace tachyon::loadgen {

ValueGenerator::ValueGenerator(std::uint64_t seed, std::uint64_t first_sequence, std::uint64_t sequence_step)
    : random_(seed), next_sequence_(first_sequence), sequence_step_(std::max<std::uint64_t>(1, sequence_step)) {}

std::optional<std::string> ValueGenerator::generate(std::string_view expression) {
  if (expression == "sequence") {
    std::uint64_t value = next_sequence_;
    next_sequence_ += sequence_step_;
    return std::to_string(value);
  }
  if (expression == "uuid") {
    std::uint64_t high = random_();
    std::uint64_t low = random_();
    high = (high & ~std::uint64_t{0xF000}) | 0x4000;                         // version 4
    low = (low & ~(std::uint64_t{0xC} << 60)) | (std::uint64_t{0x8} << 60);  // variant 10xx
    char text[40];
    std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(high >> 32),
                  static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                  static_cast<unsigned long long>(high & 0xFFFF), static_cast<unsigned long long>(low >> 48),
                  static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
    return std::string(text);
  }
  std::size_t open = expression.find('(');
  if (open == std::string_view::npos || expression.back() != ')') return std::nullopt;
  std::string_view function = expression.substr(0, open);
  std::string_view arguments_text = expression.substr(open + 1, expression.size() - open - 2);
  std::vector<std::string_view> arguments;
  while (true) {
    std::size_t comma = arguments_text.find(',');
    std::string_view argument = arguments_text.substr(0, comma);
    while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
    while (!argument.empty() && argument.back() == ' ') argument.remove_suffix(1);
    arguments.push_back(argument);
    if (comma == std::string_view::npos) break;
    arguments_text.remove_prefix(comma + 1);
  }
  if (function == "random_int" && arguments.size() == 2) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    auto first = std::from_chars(arguments[0].data(), arguments[0].data() + arguments[0].size(), low);
    auto second = std::from_chars(arguments[1].data(), arguments[1].data() + arguments[1].size(), high);
    if (first.ec != std::errc() || second.ec != std::errc() || high < low) return std::nullopt;
    return std::to_string(std::uniform_int_distribution<std::int64_t>(low, high)(random_));
  }
  if (function == "random_choice" && !arguments.empty()) {
    return std::string(arguments[std::uniform_int_distribution<std::size_t>(0, arguments.size() - 1)(random_)]);
  }
  return std::nullopt;
}

}  // namespace tachyon::loadgen
