// Strong entity tags from a response body's content (RFC 9110 §8.8.3) and conditional GET:
// `If-None-Match` matching the current tag turns the answer into 304 Not Modified with no body.
#pragma once

#include <string>
#include <string_view>

#include "tachyon/http/context.hpp"

namespace tachyon::http {

// "\"<32 hex digits>\"": the first 128 bits of the body's SHA-256.
std::string strong_etag(std::string_view body);

// True when an If-None-Match field value matches `etag` (weak comparison, as RFC 9110 §13.1.2 asks).
bool if_none_match_matches(std::string_view field_value, std::string_view etag);

// Adds the ETag of the response body; answers 304 with no body when the request's If-None-Match
// matches. Call at the end of a GET handler that produced a 200.
void apply_etag(Context& context);

}  // namespace tachyon::http
