#include "tachyon/config/scope_grants.hpp"

#include <algorithm>

namespace tachyon::config {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// Lower-case letters, digits and `:_-` (and `.` where allowed): role names, DNS names and OAuth scope
// tokens as Acme writes them.
bool is_name(std::string_view text, bool dots_allowed) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '-' ||
           (dots_allowed && c == '.');
  });
}

}  // namespace

std::optional<ScopeGrants> parse_scope_grants(std::string_view text, std::string_view holder, std::string& error) {
  ScopeGrants grants;
  while (!text.empty()) {
    std::size_t end = text.find(';');
    std::string_view entry = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (entry.empty()) continue;
    std::size_t equals = entry.find('=');
    std::string_view name = trim(entry.substr(0, equals));
    if (equals == std::string_view::npos || !is_name(name, true)) {
      error = "needs " + std::string(holder) + "=scope scope; ... (at '" + std::string(entry) + "')";
      return std::nullopt;
    }
    if (grants.contains(name)) {
      error = "names " + std::string(holder) + " '" + std::string(name) + "' twice";
      return std::nullopt;
    }
    std::vector<std::string>& scopes = grants[std::string(name)];
    std::string_view list = entry.substr(equals + 1);
    while (!list.empty()) {
      std::size_t separator = list.find_first_of(" ,");
      std::string_view scope = list.substr(0, separator);
      list = separator == std::string_view::npos ? std::string_view() : list.substr(separator + 1);
      if (scope.empty()) continue;
      if (!is_name(scope, false)) {
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

std::string format_scope_grants(const ScopeGrants& grants) {
  std::string text;
  for (const auto& [name, scopes] : grants) {
    if (!text.empty()) text += "; ";
    text += name + "=";
    for (std::size_t index = 0; index < scopes.size(); ++index) text += (index == 0 ? "" : " ") + scopes[index];
  }
  return text;
}

}  // namespace tachyon::config
