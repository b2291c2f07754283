#include "app/acme/user_operations.hpp"

#include <algorithm>
#include <cctype>

#include "app/acme/resource_support.hpp"
#include "app/acme/resources.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/core/timestamp.hpp"

namespace tachyon::app::acme {

namespace {

using core::Failure;
using core::FailureKind;

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

[[noreturn]] void rethrow_as_failure(const db::DatabaseError& error) {
  if (error.error_class() == db::ErrorClass::unique_violation) {
    throw Failure(FailureKind::conflict, "a user with this email already exists");
  }
  if (error.error_class() == db::ErrorClass::foreign_key_violation) {
    throw Failure(FailureKind::conflict, "the user has orders; disable the user instead");
  }
  throw error;
}

}  // namespace

std::vector<std::string_view> UserChanges::present() const {
  std::vector<std::string_view> names;
  if (email) names.push_back("email");
  if (name) names.push_back("name");
  if (role) names.push_back("role");
  if (department) names.push_back("department");
  if (salary_cents) names.push_back("salary_cents");
  if (status) names.push_back("status");
  if (password) names.push_back("password");
  return names;
}

const ResourceShape& UserView::shape() const {
  return with_salary ? user_shape() : user_shape_without_salary();
}

UserView view_of_user(const Viewer& viewer, db::Connection& connection, std::int64_t id) {
  if (viewer.is_admin()) return {true, true};
  if (viewer.reach == Viewer::Reach::own) return {id == viewer.user_id, false};
  if (viewer.reach == Viewer::Reach::nothing) return {};
  db::Statement department = connection.prepare("SELECT department FROM users WHERE id = ?");
  department.bind(1, id);
  if (!department.step()) return {};
  std::string_view text = department.text(0);
  return {may_see_user(viewer, id, text), sees_salary(viewer, text)};
}

void require_user_creator(const Viewer& viewer) {
  if (!viewer.is_admin()) throw Failure(FailureKind::forbidden, "only admins may create users");
}

UserView require_changeable(const Viewer& viewer, db::Connection& connection, std::int64_t id,
                            std::span<const std::string_view> fields) {
  UserView view = view_of_user(viewer, connection, id);
  if (!view.visible) throw_not_found("user", id);
  if (!may_change_user(viewer, id)) throw Failure(FailureKind::forbidden, "you may change only your own user");
  require_assignable(viewer, fields);
  return view;
}

CreatedUser create_user(db::Connection& writer, const auth::Principal& caller, const NewUser& user,
                        const std::optional<std::string>& password_hash) {
  require_user_creator(viewer_of(caller, writer));
  std::string now = core::rfc3339_now();
  std::string email = lower_case(user.email);
  CreatedUser created;
  try {
    created.id =
        writer
            .prepare(
                "INSERT INTO users (email, name, role, department, salary_cents, status, created_at, updated_at, "
                "password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(1, std::string_view(email))
            .bind(2, std::string_view(user.name))
            .bind(3, std::string_view(user.role))
            .bind(4, std::string_view(user.department))
            .bind(5, user.salary_cents)
            .bind(6, std::string_view(user.status.value_or("active")))
            .bind(7, std::string_view(now))
            .bind(8, std::string_view(now))
            .bind(9, password_hash)
            .run_returning_id();
  } catch (const db::DatabaseError& error) {
    rethrow_as_failure(error);
  }
  render_by_id(writer, user_shape(), created.id, created.json);
  return created;
}

std::string update_user(db::Connection& writer, const auth::Principal& caller, std::int64_t id,
                        const UserChanges& changes, const std::optional<std::string>& password_hash,
                        const http::WritePreconditions& preconditions) {
  std::vector<std::string_view> fields = changes.present();
  UserView view = require_changeable(viewer_of(caller, writer), writer, id, fields);
  std::optional<std::string> email;
  if (changes.email) email = lower_case(*changes.email);
  return update_by_id(writer, {view.shape(), "user", id, preconditions},
                      {{"email", changed(email)},
                       {"name", changed(changes.name)},
                       {"role", changed(changes.role)},
                       {"department", changed(changes.department)},
                       {"salary_cents", changed(changes.salary_cents)},
                       {"status", changed(changes.status)},
                       {"password_hash", changed(password_hash)}},
                      rethrow_as_failure);
}

void delete_user(db::Connection& writer, const auth::Principal& caller, std::int64_t id,
                 const http::WritePreconditions& preconditions) {
  UserView view = require_changeable(viewer_of(caller, writer), writer, id);
  delete_by_id(writer, {view.shape(), "user", id, preconditions}, rethrow_as_failure);
}

}  // namespace tachyon::app::acme
