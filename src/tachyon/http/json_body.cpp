#include "tachyon/http/json_body.hpp"

namespace tachyon::http {

bool is_json_content_type(std::string_view content_type) {
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && (media_type.back() == ' ' || media_type.back() == '\t')) media_type.remove_suffix(1);
  if (iequals(media_type, "application/json")) return true;
  constexpr std::string_view prefix = "application/";
  constexpr std::string_view suffix = "+json";
  return media_type.size() > prefix.size() + suffix.size() && iequals(media_type.substr(0, prefix.size()), prefix) &&
         iequals(media_type.substr(media_type.size() - suffix.size()), suffix);
}

}  // namespace tachyon::http
