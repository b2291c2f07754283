// `tachyon user`, `tachyon apikey` and `tachyon keys`: the identity chores an operator runs against the
// Acme database, with the same formats, hashes and keys the server uses. Passwords are read from standard
// input (a prompt without echo on a terminal), never from the command line, where `ps` would show them;
// an API key is printed once and never stored.
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/acme/access_policy.hpp"
#include "app/acme/identity.hpp"
#include "app/acme/identity_store.hpp"
#include "app/acme/migrations.hpp"
#include "app/acme/settings.hpp"
#include "app/acme/user_operations.hpp"
#include "cli/commands.hpp"
#include "tachyon/auth/password_hasher.hpp"
#include "tachyon/core/failure.hpp"
#include "tachyon/core/timestamp.hpp"
#include "tachyon/db/migrations.hpp"

namespace tachyon::cli {

namespace {

// `--name value` pairs of `wanted`; everything else is left for the settings loader.
struct Flags {
  std::map<std::string, std::string, std::less<>> values;
  std::vector<char*> rest;
  std::string error;
};

Flags parse_flags(int argument_count, char** arguments, std::initializer_list<std::string_view> wanted) {
  Flags flags;
  for (int index = 0; index < argument_count; ++index) {
    std::string_view flag = arguments[index];
    if (std::find(wanted.begin(), wanted.end(), flag) == wanted.end()) {
      flags.rest.push_back(arguments[index]);
      continue;
    }
    if (index + 1 >= argument_count) {
      flags.error = std::string(flag) + " needs a value";
      return flags;
    }
    flags.values[std::string(flag.substr(2))] = arguments[++index];
  }
  return flags;
}

std::string flag_or(const Flags& flags, std::string_view name, std::string fallback = {}) {
  auto found = flags.values.find(name);
  return found == flags.values.end() ? fallback : found->second;
}

int usage(std::string_view message) {
  std::fprintf(stderr, "tachyon: %.*s\n", static_cast<int>(message.size()), message.data());
  return 2;
}

// One line from standard input; on a terminal, after a prompt and without echo.
std::string read_password(const char* prompt) {
  bool terminal = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::fprintf(stderr, "%s", prompt);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

bool acceptable_password(const std::string& password) {
  return password.size() >= 8 && password.size() <= 128;
}

auth::PasswordHasher make_hasher(const config::Settings& settings) {
  return auth::PasswordHasher(
      {.memory_bytes = settings.password_memory_bytes, .iterations = settings.password_iterations}, 1, 0);
}

std::unique_ptr<db::Connection> open_migrated(const config::Settings& settings) {
  std::unique_ptr<db::Connection> connection = open_connection(settings);
  db::apply_migrations(*connection, app::acme::migrations(connection->dialect()));
  return connection;
}

std::string lower_case(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// "90d", "12h", "30m" -> seconds; nullopt when malformed.
std::optional<std::int64_t> parse_lifetime(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size() - 1, number);
  if (error != std::errc() || end != text.data() + text.size() - 1 || number <= 0 || number > 36500)
    return std::nullopt;
  switch (text.back()) {
    case 'd':
      return number * 86400;
    case 'h':
      return number * 3600;
    case 'm':
      return number * 60;
    default:
      return std::nullopt;
  }
}

int create_user(const Flags& flags, const config::Settings& settings) {
  std::string email = lower_case(flag_or(flags, "email"));
  std::string role = flag_or(flags, "role");
  if (email.find('@') == std::string::npos) return usage("user create needs --email with an address");
  if (!app::acme::is_known_role(role)) return usage("user create needs --role admin, manager or user");
  std::string password = read_password("Password for the new user: ");
  if (!acceptable_password(password)) return usage("the password must be 8 to 128 characters");
  auto opened = open_migrated(settings);
  db::Connection& connection = *opened;
  std::string hash = make_hasher(settings).hash_blocking(password);
  sodium_memzero(password.data(), password.size());
  app::acme::NewUser user{.email = email,
                          .name = flag_or(flags, "name", email),
                          .role = role,
                          .department = flag_or(flags, "department", "general")};
  try {
    app::acme::CreatedUser created = app::acme::create_user(connection, app::acme::operator_principal(), user, hash);
    std::printf("created user %lld (%s, %s)\n", static_cast<long long>(created.id), email.c_str(), role.c_str());
    return 0;
  } catch (const core::Failure& failure) {
    if (failure.kind() != core::FailureKind::conflict) throw;
    std::fprintf(stderr, "tachyon: %s\n", failure.detail().c_str());
    return 1;
  }
}

int set_password(const Flags& flags, const config::Settings& settings) {
  std::string email = lower_case(flag_or(flags, "email"));
  if (email.empty()) return usage("user set-password needs --email");
  std::string password = read_password("New password: ");
  if (!acceptable_password(password)) return usage("the password must be 8 to 128 characters");
  auto opened = open_migrated(settings);
  db::Connection& connection = *opened;
  std::optional<app::acme::identity_store::LoginAccount> account =
      app::acme::identity_store::find_login_account(connection, email);
  if (!account) {
    std::fprintf(stderr, "tachyon: no user with this email\n");
    return 1;
  }
  std::string hash = make_hasher(settings).hash_blocking(password);
  sodium_memzero(password.data(), password.size());
  const std::int64_t now = std::time(nullptr);
  connection.transaction([&] {
    app::acme::identity_store::store_password_hash(connection, account->id, hash);
    app::acme::identity_store::revoke_sessions_of_user(connection, account->id, now,
                                                       now + settings.access_token_ttl.count() / 1000 + 60);
  });
  std::printf("password changed for user %lld; every login of the user is revoked\n",
              static_cast<long long>(account->id));
  return 0;
}

int create_api_key(const Flags& flags, const config::Settings& settings) {
  std::string name = flag_or(flags, "name");
  if (name.empty()) return usage("apikey create needs --name");
  std::vector<std::string> scopes;
  std::string_view text =
      flags.values.count("scopes") ? std::string_view(flags.values.at("scopes")) : std::string_view();
  std::span<const std::string> known = app::acme::all_scopes();
  while (!text.empty()) {
    std::size_t comma = text.find_first_of(", ");
    std::string_view scope = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (scope.empty()) continue;
    if (std::find(known.begin(), known.end(), scope) == known.end()) {
      return usage("unknown scope '" + std::string(scope) + "'");
    }
    scopes.emplace_back(scope);
  }
  if (scopes.empty()) return usage("apikey create needs --scopes, e.g. --scopes products:read,products:write");
  std::optional<std::int64_t> expires_at;
  if (flags.values.count("expires")) {
    std::optional<std::int64_t> lifetime = parse_lifetime(flags.values.at("expires"));
    if (!lifetime) return usage("--expires takes a number and d, h or m, e.g. 90d");
    expires_at = std::time(nullptr) + *lifetime;
  }
  auto opened = open_migrated(settings);
  db::Connection& connection = *opened;
  std::string secret = app::acme::identity_store::server_secret(connection, settings.secret_key);
  try {
    app::acme::CreatedApiKey created =
        app::acme::Identity::insert_api_key(connection, secret, name, std::move(scopes), expires_at);
    std::fprintf(stderr, "API key %lld '%s' created; it is shown only now:\n",
                 static_cast<long long>(created.record.id), name.c_str());
    std::printf("%s\n", created.key.c_str());
  } catch (const core::Failure& failure) {
    if (failure.kind() != core::FailureKind::conflict) throw;
    std::fprintf(stderr, "tachyon: an API key named '%s' exists\n", name.c_str());
    return 1;
  }
  return 0;
}

std::string time_or_dash(const std::optional<std::int64_t>& value) {
  if (!value) return "-";
  return core::format_rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(*value)));
}

int list_api_keys(const config::Settings& settings) {
  auto opened = open_migrated(settings);
  db::Connection& connection = *opened;
  std::printf("%-5s %-20s %-18s %-26s %-26s %s\n", "id", "name", "prefix", "expires", "revoked", "scopes");
  for (const auto& key : app::acme::identity_store::list_api_keys(connection)) {
    std::string scopes;
    for (const std::string& scope : key.scopes) scopes += (scopes.empty() ? "" : ",") + scope;
    std::printf("%-5lld %-20s tch_%-14s %-26s %-26s %s\n", static_cast<long long>(key.id), key.name.c_str(),
                key.lookup_id.c_str(), time_or_dash(key.expires_at).c_str(), time_or_dash(key.revoked_at).c_str(),
                scopes.c_str());
  }
  return 0;
}

int revoke_api_key(const Flags& flags, const config::Settings& settings) {
  std::string name = flag_or(flags, "name");
  if (name.empty()) return usage("apikey revoke needs --name");
  auto opened = open_migrated(settings);
  db::Connection& connection = *opened;
  std::optional<app::acme::identity_store::ApiKeyRecord> key =
      app::acme::identity_store::find_api_key_by_name(connection, name);
  if (!key || !app::acme::identity_store::revoke_api_key(connection, key->id, std::time(nullptr))) {
    std::fprintf(stderr, "tachyon: no unrevoked API key named '%s'\n", name.c_str());
    return 1;
  }
  std::printf("revoked API key %lld '%s' (every instance refuses it within a second)\n",
              static_cast<long long>(key->id), name.c_str());
  return 0;
}

template <class Run>
int with_settings(const Flags& flags, Run run) {
  if (!flags.error.empty()) return usage(flags.error);
  auto settings = load_or_report(static_cast<int>(flags.rest.size()), const_cast<char**>(flags.rest.data()));
  if (!settings) return 2;
  try {
    return run(*settings);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tachyon: %s\n", error.what());
    return 1;
  }
}

}  // namespace

int user_command(int argument_count, char** arguments) {
  if (argument_count < 1) return usage("user needs create or set-password");
  std::string_view action = arguments[0];
  Flags flags = parse_flags(argument_count - 1, arguments + 1, {"--email", "--role", "--name", "--department"});
  if (action == "create") return with_settings(flags, [&](const config::Settings& s) { return create_user(flags, s); });
  if (action == "set-password") {
    return with_settings(flags, [&](const config::Settings& s) { return set_password(flags, s); });
  }
  return usage("user needs create or set-password");
}

int apikey_command(int argument_count, char** arguments) {
  if (argument_count < 1) return usage("apikey needs create, list or revoke");
  std::string_view action = arguments[0];
  Flags flags = parse_flags(argument_count - 1, arguments + 1, {"--name", "--scopes", "--expires"});
  if (action == "create")
    return with_settings(flags, [&](const config::Settings& s) { return create_api_key(flags, s); });
  if (action == "list") return with_settings(flags, [&](const config::Settings& s) { return list_api_keys(s); });
  if (action == "revoke")
    return with_settings(flags, [&](const config::Settings& s) { return revoke_api_key(flags, s); });
  return usage("apikey needs create, list or revoke");
}

int keys_command(int argument_count, char** arguments) {
  if (argument_count < 1 || std::string_view(arguments[0]) != "rotate") return usage("keys needs rotate");
  Flags flags = parse_flags(argument_count - 1, arguments + 1, {});
  return with_settings(flags, [](const config::Settings& settings) {
    auto opened = open_migrated(settings);
    db::Connection& connection = *opened;
    app::acme::IdentityOptions options = app::acme::identity_options(settings);
    options.server_secret = app::acme::identity_store::server_secret(connection, settings.secret_key);
    std::string kid = app::acme::Identity::rotate_signing_key(connection, options, std::time(nullptr));
    std::printf("new signing key %s; older keys verify until their tokens expire\n", kid.c_str());
    return 0;
  });
}

}  // namespace tachyon::cli
