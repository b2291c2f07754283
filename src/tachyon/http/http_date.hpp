// HTTP dates (RFC 9110 §5.6.7) for Last-Modified, If-Modified-Since and If-Unmodified-Since: formatting
// as IMF-fixdate and parsing it back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::http {

// "Sun, 06 Nov 1994 08:49:37 GMT" for a Unix time in seconds.
std::string format_http_date(std::int64_t unix_seconds);

// The Unix time of an IMF-fixdate; nullopt for anything else. The obsolete RFC 850 and asctime forms
// are not accepted: a date a recipient cannot parse is ignored (§13.1.3, §13.1.4), which is what a
// nullopt leads to.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace tachyon::http
