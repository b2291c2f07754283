#include "tachyon/http/conditional.hpp"

#include "tachyon/compress/content_coding.hpp"
#include "tachyon/http/errors.hpp"
#include "tachyon/http/etag.hpp"
#include "tachyon/http/field_values.hpp"
#include "tachyon/http/http_date.hpp"

namespace tachyon::http {

namespace {

// Strong comparison (§8.8.3.2): neither tag weak, same opaque text, after removing a coding suffix.
bool if_match_matches(std::string_view field_value, std::string_view current) {
  if (trim_whitespace(field_value) == "*") return true;
  bool matched = false;
  for_each_list_element(field_value, [&](std::string_view candidate) {
    matched = matched || (!candidate.starts_with("W/") && compress::identity_etag(candidate) == current);
  });
  return matched;
}

}  // namespace

bool has_write_precondition(const Request& request) {
  return request.has_header("If-Match") || request.has_header("If-Unmodified-Since");
}

WritePreconditions WritePreconditions::of(const Request& request) {
  WritePreconditions conditions;
  if (request.has_header("If-Match")) conditions.if_match.emplace(request.header("If-Match"));
  if (request.has_header("If-Unmodified-Since")) {
    conditions.if_unmodified_since.emplace(request.header("If-Unmodified-Since"));
  }
  return conditions;
}

void check_write_preconditions(const WritePreconditions& conditions, const ResourceValidators& current) {
  if (conditions.if_match) {
    if (!if_match_matches(*conditions.if_match, current.etag)) {
      throw HttpError(412, "If-Match: the resource has changed since that ETag; read it again and retry");
    }
    return;
  }
  if (conditions.if_unmodified_since) {
    std::optional<std::int64_t> since = parse_http_date(trim_whitespace(*conditions.if_unmodified_since));
    if (since && current.last_modified > *since) {
      throw HttpError(412, "If-Unmodified-Since: the resource has changed since that time");
    }
  }
}

void answer_not_modified_if_current(Context& context) {
  Response& response = context.response;
  if (response.status != 200) return;
  if (context.request.method != Method::get && context.request.method != Method::head) return;
  bool current = false;
  if (context.request.has_header("If-None-Match")) {
    std::optional<std::string_view> etag = response.header("ETag");
    current = etag && if_none_match_matches(context.request.header("If-None-Match"), *etag);
  } else if (context.request.has_header("If-Modified-Since")) {
    std::optional<std::string_view> modified = response.header("Last-Modified");
    std::optional<std::int64_t> since = parse_http_date(trim_whitespace(context.request.header("If-Modified-Since")));
    std::optional<std::int64_t> last = modified ? parse_http_date(*modified) : std::nullopt;
    current = since && last && *last <= *since;
  }
  if (!current) return;
  response.status = 304;
  response.body.clear();
  response.stream = nullptr;
}

}  // namespace tachyon::http
