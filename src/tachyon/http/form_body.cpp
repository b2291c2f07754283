#include "tachyon/http/form_body.hpp"

#include "tachyon/http/request.hpp"

namespace tachyon::http {

std::optional<std::string_view> FormBody::get(std::string_view name) const {
  auto found = fields.find(name);
  if (found == fields.end() || found->second.empty()) return std::nullopt;
  return std::string_view(found->second);
}

FormBody parse_form_body(std::string_view body) {
  FormBody form;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    std::optional<std::string> name = percent_decode(pair.substr(0, equals), true);
    std::optional<std::string> value =
        percent_decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1), true);
    if (!name || !value) {
      form.error = "the form body has a malformed percent-escape";
      return form;
    }
    if (!form.fields.emplace(std::move(*name), std::move(*value)).second) {
      form.error = "a parameter appears more than once";
      return form;
    }
  }
  return form;
}

bool is_form_content_type(std::string_view content_type) {
  constexpr std::string_view form_type = "application/x-www-form-urlencoded";
  std::string_view media_type = content_type.substr(0, content_type.find(';'));
  while (!media_type.empty() && media_type.back() == ' ') media_type.remove_suffix(1);
  return iequals(media_type, form_type);
}

}  // namespace tachyon::http
