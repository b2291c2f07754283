// HTTP status reason phrases, shared by the status line and the `title` of problem details.
#pragma once

#include <string_view>

namespace tachyon::json {

// The standard phrase for `status` ("Not Found" for 404), or "Unknown" for a code not listed.
std::string_view reason_phrase(int status);

}  // namespace tachyon::json
