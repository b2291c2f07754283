// Which scopes each holder is granted, as a setting: `holder=scope scope; holder=scope ...` (scopes
// separated by spaces or commas). Holders are roles (TACHYON_ROLE_SCOPES) or the services client
// certificates name (TACHYON_TLS_CLIENT_SCOPES). The library only checks the shape; the app checks the
// role and scope names it knows.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tachyon::config {

// Holder → its scopes, sorted and without repeats.
using ScopeGrants = std::map<std::string, std::vector<std::string>, std::less<>>;

// Parses the setting's text; `holder` names what the keys are in errors ("role", "service"). On failure
// `error` says why (e.g. "names role 'x' twice"). Holder names are lower-case letters, digits and `.:_-`
// (DNS names included); scopes the same without `.`.
std::optional<ScopeGrants> parse_scope_grants(std::string_view text, std::string_view holder, std::string& error);
// The inverse: `holder=a b; holder=c`, holders in order.
std::string format_scope_grants(const ScopeGrants& grants);

}  // namespace tachyon::config
