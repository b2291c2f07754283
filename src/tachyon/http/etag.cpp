#include "tachyon/http/etag.hpp"

#include <openssl/sha.h>

namespace tachyon::http {

namespace {
std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

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
  if (trim(field_value) == "*") return true;
  while (!field_value.empty()) {
    std::size_t comma = field_value.find(',');
    std::string_view candidate = trim(field_value.substr(0, comma));
    if (!candidate.empty() && opaque_tag(candidate) == opaque_tag(etag)) return true;
    if (comma == std::string_view::npos) break;
    field_value.remove_prefix(comma + 1);
  }
  return false;
}

void add_strong_etag(Response& response) {
  response.add_header("ETag", strong_etag(response.body));
}

}  // namespace tachyon::http
