// Rounds a probability distribution to a few decimals so that the rounded values still add up to what
// the originals did (largest remainder method): a response never shows 0.3333 three times.
#pragma once

#include <span>
#include <vector>

namespace tachyon::ml {

// Each value becomes a multiple of 10^-decimals (0 <= decimals <= 9). The values are floored, then the
// units still missing from the rounded total go to the largest remainders (the lowest index first on a
// tie). Throws std::invalid_argument for decimals out of range or a negative or non-finite value.
std::vector<double> round_preserving_sum(std::span<const double> values, int decimals);

}  // namespace tachyon::ml
