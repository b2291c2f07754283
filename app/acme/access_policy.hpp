// Who may see and change what in Acme (the contract's "Access" section), decided from the caller's
// principal by the domain code, not by HTTP handlers:
// - roles (user, manager, admin) grant scopes by a configurable table (TACHYON_ROLE_SCOPES);
// - objects: a `user` reaches only their own records, a `manager` also reads the users of their
//   department and those users' orders, an admin (or a key holding the `admin` scope) reaches every
//   record; an API key or service without `admin` reaches no user or order. A record out of reach is
//   a 404, as if it did not exist; lists hold only what is in reach;
// - properties: `salary_cents` only for admins and for a manager of that user's department; only
//   admins set `role`, `status`, `department`, `salary_cents` (403 naming the field).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/acme/listing.hpp"
#include "tachyon/auth/principal.hpp"
#include "tachyon/config/scope_grants.hpp"
#include "tachyon/db/sqlite_connection.hpp"

namespace tachyon::app::acme {

// Every scope Acme knows, sorted.
std::span<const std::string> all_scopes();
// Whether `role` is one of Acme's: user, manager, admin.
bool is_known_role(std::string_view role);
// Checks a role → scope table (TACHYON_ROLE_SCOPES): only Acme's roles and scopes. Throws
// std::invalid_argument naming the first unknown name ("names scope ..."), to follow the quoted value.
void check_role_grants(const config::ScopeGrants& grants);
// Checks the scopes client certificates' services are granted (TACHYON_TLS_CLIENT_SCOPES): any service
// name, only Acme's scopes. Throws as check_role_grants does.
void check_service_grants(const config::ScopeGrants& grants);

// What a caller can reach, resolved once per request from its principal.
struct Viewer {
  enum class Reach : std::uint8_t { nothing, own, department, everything };
  Reach reach = Reach::nothing;
  std::int64_t user_id = 0;  // the caller's user id (Reach::own, Reach::department)
  std::string department;    // the manager's department (Reach::department)

  bool is_admin() const { return reach == Reach::everything; }
};

// Who the `tachyon` CLI acts as: the machine's operator, an admin (the `admin` scope) that is no user
// or key (`service:tachyon-cli`).
auth::Principal operator_principal();

// A manager's department is read from `reader` (it may have changed since the token was issued); a
// user whose row is gone reaches nothing.
Viewer viewer_of(const auth::Principal& principal, db::Connection& reader);

// Whether the viewer may see the user `id` whose department is `department`.
bool may_see_user(const Viewer& viewer, std::int64_t id, std::string_view department);
// Whether the viewer sees `salary_cents` of a user in `department`.
bool sees_salary(const Viewer& viewer, std::string_view department);
// Whether every user the viewer can list shows its salary (admins, managers: their reach is their
// department), so lists may select and sort by it.
bool sees_salary_of_every_reachable_user(const Viewer& viewer);

// SQL conditions that keep a list to what the viewer may see; nullopt = no condition (admins).
// Reach::nothing gives a condition that matches no row.
std::optional<Filter> user_visibility(const Viewer& viewer);
std::optional<Filter> order_visibility(const Viewer& viewer);

// Whether the viewer may change (or delete) the user `id`: their own record, or any as admin.
bool may_change_user(const Viewer& viewer, std::int64_t id);
// Whether the viewer may place or cancel orders of user `user_id`.
bool may_act_for_user(const Viewer& viewer, std::int64_t user_id);

// Throws a forbidden core::Failure naming the first field that only admins may set, when the viewer is not one.
// `fields` are the names present in the request body.
void require_assignable(const Viewer& viewer, std::span<const std::string_view> fields);

// Fields only admins may set on a user.
inline constexpr std::string_view admin_only_user_fields[] = {"role", "status", "department", "salary_cents"};

}  // namespace tachyon::app::acme
