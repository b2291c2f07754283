// A hash for unordered containers keyed by std::string that also takes std::string_view lookups
// (C++20 heterogeneous lookup), so a find with a view builds no string.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace tachyon::core {

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

}  // namespace tachyon::core
