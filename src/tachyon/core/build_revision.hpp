// The git revision of the build (`tachyon --version`, tachyon_build_info). It lives in one generated
// file rather than a compile definition, so a new commit recompiles that file, not the whole tree.
#pragma once

#include <string_view>

namespace tachyon::core {

std::string_view build_revision();

}  // namespace tachyon::core
