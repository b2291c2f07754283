#include "tachyon/config/setting_rows.hpp"

#include "tachyon/http/field_values.hpp"

#include <filesystem>
#include <fstream>

#include <algorithm>
#include <cctype>

namespace tachyon::config {

SettingSpec make_spec(Documentation documentation, std::string type, SettingSpec::Binder bind,
                      SettingSpec::Renderer render) {
  return SettingSpec{.variable = std::move(documentation.variable),
                     .type = std::move(type),
                     .default_text = std::move(documentation.default_text),
                     .description = std::move(documentation.description),
                     .secret = false,
                     .empty_text = "(empty)",
                     .bind = std::move(bind),
                     .render = std::move(render)};
}

bool plausible_host(std::string_view text) {
  return !text.empty() && std::none_of(text.begin(), text.end(), [](char character) {
    auto byte = static_cast<unsigned char>(character);
    return std::isspace(byte) != 0 || std::iscntrl(byte) != 0;
  });
}

bool plausible_product(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() > 64) return false;
  std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return http::is_token(text);
  return http::is_token(text.substr(0, slash)) && http::is_token(text.substr(slash + 1));
}

bool is_readable_file(std::string_view path) {
  std::ifstream file{std::string(path)};
  return file.good() && std::filesystem::is_regular_file(std::string(path));
}

}  // namespace tachyon::config
