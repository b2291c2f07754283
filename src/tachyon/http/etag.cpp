#include "tachyon/http/etag.hpp"

#include <openssl/sha.h>

#include "tachyon/http/field_values.hpp"

namespace tachyon::http {

namespace {
std::string_view opaque_tag(std::string_view tag) {
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}
}  // namespace

std::string strong_etag(std::string_view body) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  static constexpr char digits[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int index = 0; index < 16; ++index) {
    tag += digits[digest[index] >> 4];
    tag += digits[digest[index] & 0xf];
  }
  tag += '"';
  return tag;
}

bool if_none_match_matches(std::string_view field_value, std::string_view etag) {
  if (trim_whitespace(field_value) == "*") return true;
  bool matched = false;
  for_each_list_element(
      field_value, [&](std::string_view candidate) { matched = matched || opaque_tag(candidate) == opaque_tag(etag); });
  return matched;
}

void add_strong_etag(Response& response) {
  response.add_header("ETag", strong_etag(response.body));
}

}  // namespace tachyon::http
