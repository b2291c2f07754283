#include "tachyon/auth/client_certificates.hpp"

#include <algorithm>

namespace tachyon::auth {
namespace {

std::shared_ptr<const Principal> service_principal(std::string_view name, std::vector<std::string> scopes) {
  auto principal = std::make_shared<Principal>();
  principal->subject = "service:" + std::string(name);
  principal->kind = PrincipalKind::service;
  principal->method = AuthMethod::client_certificate;
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  principal->scopes = std::move(scopes);
  return principal;
}

// A prefix matches whole segments: "/internal" covers "/internal" and "/internal/x", not "/internals".
bool under(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || prefix.ends_with('/') || path[prefix.size()] == '/';
}

}  // namespace

ClientCertificates::ClientCertificates(ClientCertificateRules rules)
    : required_path_prefixes_(std::move(rules.required_path_prefixes)) {
  for (auto& [name, scopes] : rules.service_scopes) services_.emplace(name, service_principal(name, std::move(scopes)));
}

std::shared_ptr<const Principal> ClientCertificates::principal_for(std::string_view name) const {
  auto found = services_.find(name);
  if (found != services_.end()) return found->second;
  return service_principal(name, {});
}

bool ClientCertificates::required_for(std::string_view path) const {
  return std::any_of(required_path_prefixes_.begin(), required_path_prefixes_.end(),
                     [&](const std::string& prefix) { return under(path, prefix); });
}

}  // namespace tachyon::auth
