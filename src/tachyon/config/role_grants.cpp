#include "tachyon/config/role_grants.hpp"

#include <algorithm>

namespace tachyon::config {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Lower-case letters, digits and `:_-`: role names and OAuth scope tokens as Acme writes them.
bool is_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '-';
  });
}

}  // namespace

std::optional<RoleGrants> parse_role_grants(std::string_view text, std::string& error) {
  RoleGrants grants;
  while (!text.empty()) {
    std::size_t end = text.find(';');
    std::string_view entry = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (entry.empty()) continue;
    std::size_t equals = entry.find('=');
    std::string_view role = trim(entry.substr(0, equals));
    if (equals == std::string_view::npos || !is_name(role)) {
      error = "needs role=scope scope; ... (at '" + std::string(entry) + "')";
      return std::nullopt;
    }
    if (grants.contains(role)) {
      error = "names role '" + std::string(role) + "' twice";
      return std::nullopt;
    }
    std::vector<std::string>& scopes = grants[std::string(role)];
    std::string_view list = entry.substr(equals + 1);
    while (!list.empty()) {
      std::size_t separator = list.find_first_of(" ,");
      std::string_view scope = list.substr(0, separator);
      list = separator == std::string_view::npos ? std::string_view() : list.substr(separator + 1);
      if (scope.empty()) continue;
      if (!is_name(scope)) {
        error = "has a scope that is not a name: '" + std::string(scope) + "'";
        return std::nullopt;
      }
      scopes.emplace_back(scope);
    }
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  }
  return grants;
}

std::string format_role_grants(const RoleGrants& grants) {
  std::string text;
  for (const auto& [role, scopes] : grants) {
    if (!text.empty()) text += "; ";
    text += role + "=";
    for (std::size_t index = 0; index < scopes.size(); ++index) text += (index == 0 ? "" : " ") + scopes[index];
  }
  return text;
}

}  // namespace tachyon::config
