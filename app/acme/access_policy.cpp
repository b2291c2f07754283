#include "app/acme/access_policy.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "tachyon/core/failure.hpp"

namespace tachyon::app::acme {

namespace {

std::vector<std::string> sorted(std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  return scopes;
}

const std::vector<std::string>& every_scope() {
  static const std::vector<std::string> scopes =
      sorted({"admin", "audit:read", "orders:read", "orders:write", "products:read", "products:write", "users:read",
              "users:write"});
  return scopes;
}

}  // namespace

std::span<const std::string> all_scopes() {
  return every_scope();
}

bool is_known_role(std::string_view role) {
  return role == "user" || role == "manager" || role == "admin";
}

namespace {

void check_scope_names(const config::ScopeGrants& grants) {
  for (const auto& [holder, scopes] : grants) {
    for (const std::string& scope : scopes) {
      if (!std::binary_search(every_scope().begin(), every_scope().end(), scope)) {
        throw std::invalid_argument("names scope '" + scope + "', which Acme does not know");
      }
    }
  }
}

}  // namespace

void check_role_grants(const config::ScopeGrants& grants) {
  for (const auto& [role, scopes] : grants) {
    if (!is_known_role(role)) {
      throw std::invalid_argument("names role '" + role + "'; Acme's roles are user, manager, admin");
    }
  }
  check_scope_names(grants);
}

void check_service_grants(const config::ScopeGrants& grants) {
  check_scope_names(grants);
}

auth::Principal operator_principal() {
  auth::Principal principal;
  principal.subject = "service:tachyon-cli";
  principal.kind = auth::PrincipalKind::service;
  principal.scopes = {"admin"};
  return principal;
}

Viewer viewer_of(const auth::Principal& principal, db::Connection& reader) {
  Viewer viewer;
  if (principal.has_scope("admin")) {
    viewer.reach = Viewer::Reach::everything;
    return viewer;
  }
  if (principal.kind != auth::PrincipalKind::user) return viewer;  // keys and services without admin
  viewer.user_id = principal.id;
  if (!principal.has_role("manager")) {
    viewer.reach = Viewer::Reach::own;
    return viewer;
  }
  db::Statement department = reader.prepare("SELECT department FROM users WHERE id = ?");
  department.bind(1, principal.id);
  if (!department.step()) return viewer;
  viewer.reach = Viewer::Reach::department;
  viewer.department = std::string(department.text(0));
  return viewer;
}

bool may_see_user(const Viewer& viewer, std::int64_t id, std::string_view department) {
  switch (viewer.reach) {
    case Viewer::Reach::everything:
      return true;
    case Viewer::Reach::department:
      return id == viewer.user_id || department == viewer.department;
    case Viewer::Reach::own:
      return id == viewer.user_id;
    case Viewer::Reach::nothing:
      return false;
  }
  return false;
}

bool sees_salary(const Viewer& viewer, std::string_view department) {
  return viewer.reach == Viewer::Reach::everything ||
         (viewer.reach == Viewer::Reach::department && department == viewer.department);
}

bool sees_salary_of_every_reachable_user(const Viewer& viewer) {
  return viewer.reach == Viewer::Reach::everything || viewer.reach == Viewer::Reach::department;
}

// A condition no row meets, in SQL both backends accept (PostgreSQL refuses SQLite's bare `0`: a WHERE
// argument must be a boolean there).
constexpr std::string_view matches_no_row = "1 = 0";

std::optional<Filter> user_visibility(const Viewer& viewer) {
  switch (viewer.reach) {
    case Viewer::Reach::everything:
      return std::nullopt;
    case Viewer::Reach::department:
      return Filter{"department = ?", {viewer.department}, "reach:department=" + viewer.department};
    case Viewer::Reach::own:
      return Filter{"id = ?", {viewer.user_id}, "reach:user=" + std::to_string(viewer.user_id)};
    case Viewer::Reach::nothing:
      return Filter{std::string(matches_no_row), {}, "reach:nothing"};
  }
  return Filter{std::string(matches_no_row), {}, "reach:nothing"};
}

std::optional<Filter> order_visibility(const Viewer& viewer) {
  switch (viewer.reach) {
    case Viewer::Reach::everything:
      return std::nullopt;
    case Viewer::Reach::department:
      return Filter{"user_id IN (SELECT id FROM users WHERE department = ?)",
                    {viewer.department},
                    "reach:department=" + viewer.department};
    case Viewer::Reach::own:
      return Filter{"user_id = ?", {viewer.user_id}, "reach:user=" + std::to_string(viewer.user_id)};
    case Viewer::Reach::nothing:
      return Filter{std::string(matches_no_row), {}, "reach:nothing"};
  }
  return Filter{std::string(matches_no_row), {}, "reach:nothing"};
}

bool may_change_user(const Viewer& viewer, std::int64_t id) {
  return viewer.is_admin() || (viewer.reach != Viewer::Reach::nothing && id == viewer.user_id);
}

bool may_act_for_user(const Viewer& viewer, std::int64_t user_id) {
  return may_change_user(viewer, user_id);
}

void require_assignable(const Viewer& viewer, std::span<const std::string_view> fields) {
  if (viewer.is_admin()) return;
  for (std::string_view field : fields) {
    if (std::find(std::begin(admin_only_user_fields), std::end(admin_only_user_fields), field) ==
        std::end(admin_only_user_fields)) {
      continue;
    }
    throw core::Failure(core::FailureKind::forbidden, "only admins may set " + std::string(field));
  }
}

}  // namespace tachyon::app::acme
