#include "tachyon/ml/rounding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace tachyon::ml {

std::vector<double> round_preserving_sum(std::span<const double> values, int decimals) {
  if (decimals < 0 || decimals > 9) throw std::invalid_argument("round_preserving_sum: decimals must be 0 to 9");
  const double scale = std::pow(10.0, decimals);
  std::vector<std::int64_t> units(values.size());
  std::vector<double> remainders(values.size());
  double total = 0;
  std::int64_t assigned = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]) || values[i] < 0) {
      throw std::invalid_argument("round_preserving_sum: values must be finite and >= 0");
    }
    const double scaled = values[i] * scale;
    units[i] = static_cast<std::int64_t>(std::floor(scaled));
    remainders[i] = scaled - static_cast<double>(units[i]);
    assigned += units[i];
    total += values[i];
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  // Each value gets at most one extra unit, since flooring took less than one unit from each.
  const auto missing = std::llround(total * scale) - assigned;
  for (std::int64_t k = 0; k < missing && k < static_cast<std::int64_t>(order.size()); ++k) ++units[order[k]];

  std::vector<double> rounded(values.size());
  // A division rather than a multiplication by 10^-decimals: 97 / 100.0 is exactly the double nearest
  // 0.97, so it prints as "0.97".
  for (std::size_t i = 0; i < values.size(); ++i) rounded[i] = static_cast<double>(units[i]) / scale;
  return rounded;
}

}  // namespace tachyon::ml
