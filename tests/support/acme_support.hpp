// Integration-test support for the Acme API: a server on its own temporary SQLite file (removed at the
// end), JSON requests in one call, and parsed JSON responses.
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

  // One request on a fresh connection; a JSON body gets Content-Type: application/json.
  HttpResponse call(std::string_view method, std::string_view path, std::string_view body = "",
                    std::string_view extra_headers = "") const;

  // POSTs a JSON body that must be accepted (201); returns the new resource's id.
  std::int64_t create(std::string_view collection_path, std::string_view body) const;

 private:
  TemporaryDirectory directory_;
  std::unique_ptr<ServerProcess> server_;
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
