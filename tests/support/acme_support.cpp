#include "support/acme_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace tachyon::testing {

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tachyon-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

AcmeServer::AcmeServer(std::vector<std::string> flags, std::map<std::string, std::string> environment, bool demo_data) {
  environment.emplace("DATABASE_URL", database_url());
  environment.emplace("TACHYON_DEMO_DATA", demo_data ? "true" : "false");
  environment.emplace("TACHYON_SECRET_KEY", "acme-integration-test-secret-key-0123456789");
  // Test logins need not pay OWASP's 19 MiB per hash; a test of the parameters sets its own.
  environment.emplace("TACHYON_PASSWORD_MEMORY", "1MiB");
  environment.emplace("TACHYON_PASSWORD_ITERATIONS", "1");
  environment_ = environment;
  server_ = std::make_unique<ServerProcess>(std::move(flags), std::move(environment));
  CommandResult created = run_cli({"apikey", "create", "--name", "tests-admin-" + unique_suffix(), "--scopes",
                                   "admin,audit:read,orders:read,orders:write,products:read,products:write,users:read,"
                                   "users:write"});
  if (created.exit_code != 0) throw std::runtime_error("apikey create failed: " + created.standard_error);
  admin_key_ = created.standard_output.substr(0, created.standard_output.find('\n'));
}

CommandResult AcmeServer::run_cli(const std::vector<std::string>& arguments, const std::string& standard_input) const {
  return run_tachyon(arguments, environment_, 20s, standard_input);
}

std::int64_t AcmeServer::create_user_with_password(const std::string& email, std::string_view role,
                                                   std::string_view department, std::string_view password) const {
  return create("/v1/users", R"({"email":")" + email + R"(","name":"Test User","role":")" + std::string(role) +
                                 R"(","department":")" + std::string(department) +
                                 R"(","salary_cents":5000000,"password":")" + std::string(password) + R"("})");
}

HttpResponse AcmeServer::login(std::string_view email, std::string_view password, std::string_view scope) const {
  std::string form = "grant_type=password&username=" + std::string(email) + "&password=" + std::string(password);
  if (!scope.empty()) form += "&scope=" + std::string(scope);
  return call_anonymous("POST", "/v1/auth/token", form, "Content-Type: application/x-www-form-urlencoded\r\n");
}

AcmeServer::Caller AcmeServer::new_caller(std::string_view role, std::string_view department) const {
  Caller caller;
  caller.email = std::string(role) + "." + unique_suffix() + "@example.com";
  caller.id = create_user_with_password(caller.email, role, department, "correct horse battery");
  HttpResponse tokens = login(caller.email, "correct horse battery");
  if (tokens.status != 200) throw std::runtime_error("login failed: " + tokens.body);
  caller.headers =
      "Authorization: Bearer " + std::string(Json(tokens.body)["access_token"].get_string().value()) + "\r\n";
  return caller;
}

HttpResponse AcmeServer::call(std::string_view method, std::string_view path, std::string_view body,
                              std::string_view extra_headers) const {
  std::string lowered(extra_headers);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lowered.find("authorization:") != std::string::npos || lowered.find("x-api-key:") != std::string::npos) {
    return send(method, path, body, extra_headers);
  }
  return send(method, path, body, std::string(extra_headers) + "X-API-Key: " + admin_key_ + "\r\n");
}

HttpResponse AcmeServer::call_anonymous(std::string_view method, std::string_view path, std::string_view body,
                                        std::string_view extra_headers) const {
  return send(method, path, body, extra_headers);
}

HttpResponse AcmeServer::send(std::string_view method, std::string_view path, std::string_view body,
                              std::string_view extra_headers) const {
  std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n";
  if (!body.empty()) {
    if (extra_headers.find("Content-Type") == std::string_view::npos) raw += "Content-Type: application/json\r\n";
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  } else if (method == "POST" || method == "PATCH" || method == "PUT") {
    raw += "Content-Length: 0\r\n";
  }
  raw += std::string(extra_headers) + "\r\n" + std::string(body);
  auto response = request(port(), raw, 30s);
  if (!response) throw std::runtime_error("no response to " + std::string(method) + " " + std::string(path));
  return *response;
}

std::int64_t AcmeServer::create(std::string_view collection_path, std::string_view body) const {
  HttpResponse response = call("POST", collection_path, body);
  if (response.status != 201) {
    throw std::runtime_error("POST " + std::string(collection_path) + " gave " + std::to_string(response.status) +
                             ": " + response.body);
  }
  return Json(response.body)["id"].get_int64().value();
}

Json::Json(const std::string& text) : parser_(std::make_unique<simdjson::dom::parser>()) {
  auto parsed = parser_->parse(text);
  if (parsed.error()) throw std::runtime_error("not JSON: " + text);
  root_ = parsed.value();
}

std::vector<std::string> failing_fields(const HttpResponse& response) {
  std::vector<std::string> fields;
  Json problem(response.body);
  auto errors = problem.root()["errors"];
  if (errors.error()) return fields;
  simdjson::dom::array array_1 = errors.get_array().value();
  for (simdjson::dom::element entry : array_1) {
    fields.emplace_back(std::string_view(entry["field"].get_string().value()));
  }
  return fields;
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace tachyon::testing
