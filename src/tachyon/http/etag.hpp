// Strong entity tags from a response body's content (RFC 9110 §8.8.3). The 304 answer to a matching
// If-None-Match is made in one place for every route (http/conditional.hpp), after compression has given
// each encoded variant its own tag.
#pragma once

#include <string>
#include <string_view>

#include "tachyon/http/context.hpp"

namespace tachyon::http {

// "\"<32 hex digits>\"": the first 128 bits of the body's SHA-256.
std::string strong_etag(std::string_view body);

// True when an If-None-Match field value matches `etag` (weak comparison, as RFC 9110 §13.1.2 asks).
bool if_none_match_matches(std::string_view field_value, std::string_view etag);

// Adds the strong ETag of the response's (identity) body.
void add_strong_etag(Response& response);

}  // namespace tachyon::http
