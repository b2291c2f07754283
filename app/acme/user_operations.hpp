// Acme's user operations, apart from HTTP: creating, changing and deleting users for a caller (their
// principal; access_policy.hpp decides who reaches which user and which fields). Handlers call these,
// and so will jobs and the CLI. They return results or throw core::Failure: not_found for a user the
// caller may not see, forbidden naming what they may not do, conflict (a taken email, a user with
// orders), precondition_failed from If-Match.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/acme/access_policy.hpp"
#include "app/acme/listing.hpp"
#include "tachyon/auth/principal.hpp"
#include "tachyon/db/sqlite_connection.hpp"
#include "tachyon/http/conditional.hpp"

namespace tachyon::app::acme {

struct NewUser {
  std::string email;
  std::string name;
  std::string role;
  std::string department;
  std::int64_t salary_cents = 0;
  std::optional<std::string> status;
  std::optional<std::string> password;  // write-only: stored as its argon2id hash, never answered
};

struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<std::string> role;
  std::optional<std::string> department;
  std::optional<std::int64_t> salary_cents;
  std::optional<std::string> status;
  std::optional<std::string> password;

  // The fields present in the request body.
  std::vector<std::string_view> present() const;
};

// What the caller sees of one user: whether it exists for them, and whether its salary shows.
struct UserView {
  bool visible = false;
  bool with_salary = false;

  // The user as this caller reads it (with or without `salary_cents`).
  const ResourceShape& shape() const;
};

UserView view_of_user(const Viewer& viewer, db::Connection& connection, std::int64_t id);

// forbidden unless the viewer is an admin. Handlers check it before hashing a password; create_user
// checks it again.
void require_user_creator(const Viewer& viewer);

// not_found when the user is out of the viewer's sight, forbidden when the viewer may only look or
// names a field only admins set (`fields`: those present in the change). The user as the viewer sees it.
UserView require_changeable(const Viewer& viewer, db::Connection& connection, std::int64_t id,
                            std::span<const std::string_view> fields = {});

struct CreatedUser {
  std::int64_t id = 0;
  std::string json;
};

// On `writer`. The email is stored lower-cased; `password_hash` is the argon2id hash of
// `user.password` (made off the loop by the caller), if it has one.
CreatedUser create_user(db::Connection& writer, const auth::Principal& caller, const NewUser& user,
                        const std::optional<std::string>& password_hash);

// On `writer`, the checks of require_changeable and `preconditions` against the row as it is now, then
// the change (`changes.password` is ignored: `password_hash` replaces it). The user as the caller reads it.
std::string update_user(db::Connection& writer, const auth::Principal& caller, std::int64_t id,
                        const UserChanges& changes, const std::optional<std::string>& password_hash,
                        const http::WritePreconditions& preconditions);

// On `writer`: the checks of require_changeable and `preconditions`, then the delete; conflict while
// the user has orders.
void delete_user(db::Connection& writer, const auth::Principal& caller, std::int64_t id,
                 const http::WritePreconditions& preconditions);

}  // namespace tachyon::app::acme
