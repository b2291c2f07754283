#include "tachyon/http/cors_options.hpp"

#include <algorithm>

#include "tachyon/core/url.hpp"

namespace tachyon::http {

std::optional<std::string> cors_origin_problem(std::string_view entry) {
  if (entry == "*") return std::nullopt;
  if (entry == "null") return "is the origin of sandboxed and file: pages, which any site can send";
  return core::origin_problem(entry);
}

std::optional<std::string> cors_problem(const CorsOptions& options) {
  for (const std::string& origin : options.origins) {
    if (std::optional<std::string> problem = cors_origin_problem(origin))
      return "has '" + origin + "', which " + *problem;
  }
  bool any = std::find(options.origins.begin(), options.origins.end(), "*") != options.origins.end();
  if (any && options.origins.size() > 1) return "lists '*' with other origins: give either '*' or the origins";
  if (any && options.allow_credentials) {
    return "allows credentials from any origin ('*'): a credentialed answer names one origin, so list them";
  }
  return std::nullopt;
}

}  // namespace tachyon::http
