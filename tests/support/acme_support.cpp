#include "support/acme_support.hpp"

#include <unistd.h>

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

AcmeServer::AcmeServer(std::vector<std::string> flags, std::map<std::string, std::string> environment,
                       bool demo_data) {
  environment.emplace("DATABASE_URL", database_url());
  environment.emplace("TACHYON_DEMO_DATA", demo_data ? "true" : "false");
  environment.emplace("TACHYON_SECRET_KEY", "acme-integration-test-secret-key-0123456789");
  server_ = std::make_unique<ServerProcess>(std::move(flags), std::move(environment));
}

HttpResponse AcmeServer::call(std::string_view method, std::string_view path, std::string_view body,
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
