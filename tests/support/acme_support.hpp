// Integration-test support for the Acme API: a server on its own temporary SQLite file (removed at the
// end), JSON requests in one call (as an admin API key unless the test says who calls), logins, and
// parsed JSON responses.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_server.hpp"

namespace tachyon::testing {

// A directory under the system temp dir, removed with everything in it when this goes.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class AcmeServer {
 public:
  // Serves Acme on `acme.db` in a fresh temporary directory; `demo_data` fills it with the demo set.
  explicit AcmeServer(std::vector<std::string> flags = {}, std::map<std::string, std::string> environment = {},
                      bool demo_data = false);

  std::uint16_t port() const { return server_->port(); }
  ServerProcess& process() { return *server_; }
  std::filesystem::path database_file() const { return directory_.path() / "acme.db"; }
  std::string database_url() const { return "sqlite:" + database_file().string(); }

  // One request on a fresh connection; a JSON body gets Content-Type: application/json. It carries the
  // admin API key unless `extra_headers` has its own Authorization or X-API-Key.
  HttpResponse call(std::string_view method, std::string_view path, std::string_view body = "",
                    std::string_view extra_headers = "") const;
  // The same without any credentials.
  HttpResponse call_anonymous(std::string_view method, std::string_view path, std::string_view body = "",
                              std::string_view extra_headers = "") const;

  // An API key with every scope, made with `tachyon apikey create` when the server started.
  const std::string& admin_key() const { return admin_key_; }
  // The TACHYON_SECRET_KEY the server runs with (tests that must forge tokens with its real keys).
  std::string secret_key() const { return environment_.at("TACHYON_SECRET_KEY"); }
  // `tachyon <arguments>` against this server's database and secret.
  CommandResult run_cli(const std::vector<std::string>& arguments, const std::string& standard_input = "") const;
  // POST /v1/users as admin with a password; returns the id.
  std::int64_t create_user_with_password(const std::string& email, std::string_view role, std::string_view department,
                                         std::string_view password) const;
  // The password grant's answer (status 200 expected by the caller).
  HttpResponse login(std::string_view email, std::string_view password, std::string_view scope = "") const;
  // A fresh user of that role and department, logged in: "Authorization: Bearer ...\r\n" and its id.
  struct Caller {
    std::int64_t id = 0;
    std::string email;
    std::string headers;  // ready for extra_headers
  };
  Caller new_caller(std::string_view role, std::string_view department = "eng") const;

  // POSTs a JSON body that must be accepted (201); returns the new resource's id.
  std::int64_t create(std::string_view collection_path, std::string_view body) const;

 private:
  HttpResponse send(std::string_view method, std::string_view path, std::string_view body,
                    std::string_view headers) const;

  TemporaryDirectory directory_;
  std::map<std::string, std::string> environment_;
  std::unique_ptr<ServerProcess> server_;
  std::string admin_key_;
};

// A JSON document with its parser (simdjson elements borrow from the parser).
class Json {
 public:
  explicit Json(const std::string& text);
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::element operator[](std::string_view key) const { return root_[key].value(); }

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;
  simdjson::dom::element root_;
};

// The `field` of every entry in a 422 problem's `errors`.
std::vector<std::string> failing_fields(const HttpResponse& response);

// A unique suffix for emails and skus, so tests never collide with demo data or each other.
std::string unique_suffix();

}  // namespace tachyon::testing
