// The IMF-fixdate for the `Date` header (RFC 9110 §6.6.1), formatted at most once per second per thread.
#pragma once

#include <string_view>

namespace tachyon::http {

// Returns e.g. "Sun, 06 Nov 1994 08:49:37 GMT"; the view stays valid until the next call on this thread.
std::string_view current_http_date();

}  // namespace tachyon::http
