// Conditional requests (RFC 9110 §13): 304 Not Modified for reads whose validators the client already
// holds, 412 Precondition Failed for writes made against a representation that has changed since the
// client read it (no lost updates), and the test behind 428 Precondition Required (RFC 6585 §3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tachyon/http/context.hpp"

namespace tachyon::http {

// A resource's validators just before a write changes it, read inside the write's transaction.
struct ResourceValidators {
  std::string etag;                // strong tag of its identity representation as this caller reads it
  std::int64_t last_modified = 0;  // Unix seconds of its last change
};

// A write's If-Match and If-Unmodified-Since, copied out of the request so that the writer can check
// them against the row it is about to change, inside the same transaction.
struct WritePreconditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_unmodified_since;

  static WritePreconditions of(const Request& request);
  bool any() const { return if_match || if_unmodified_since; }
};

// RFC 9110 §13.2.2 steps 1-2 for a state-changing request: If-Match with the strong comparison ("*"
// matches any current representation; the tag of any content-coding variant of it matches too, since
// the client may have read it compressed), else If-Unmodified-Since. Throws HttpError 412 naming the
// failed condition. An unparseable If-Unmodified-Since is ignored (§13.1.4).
void check_write_preconditions(const WritePreconditions& conditions, const ResourceValidators& current);

// True when the request states a write precondition (If-Match or If-Unmodified-Since).
bool has_write_precondition(const Request& request);

// Steps 3-4 for a GET or HEAD answered 200: If-None-Match (weak comparison) against the response's ETag,
// else If-Modified-Since against its Last-Modified. When the client's copy is current the response
// becomes 304 with no body and keeps its other header fields (§15.4.5).
void answer_not_modified_if_current(Context& context);

}  // namespace tachyon::http
