// `tachyon bench compare A.json B.json`: the headline figures of two `--json` summaries side by
// side with the ratio B/A (cache on vs off, before vs after).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tachyon::loadgen {

// Returns the comparison table, or nullopt with `error` set when a document is not a summary.
std::optional<std::string> compare_summaries(std::string_view first_json, std::string_view second_json,
                                             std::string& error);

}  // namespace tachyon::loadgen
