// Which scopes each role grants, as a setting: `role=scope scope; role=scope ...` (scopes separated by
// spaces or commas). The library only checks the shape; the app checks the role and scope names it knows.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::config {

// Role → its scopes, sorted and without repeats.
using RoleGrants = std::map<std::string, std::vector<std::string>, std::less<>>;

// Parses the setting's text; on failure `error` says why (e.g. "role 'x' is named twice").
std::optional<RoleGrants> parse_role_grants(std::string_view text, std::string& error);
// The inverse: `role=a b; role=c`, roles in order.
std::string format_role_grants(const RoleGrants& grants);

}  // namespace tachyon::config
