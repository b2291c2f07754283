// Mutual TLS as authentication: the principal a verified client certificate stands for, and the path
// prefixes that answer only requests which came with one. The TLS handshake has already refused
// expired, untrusted and revoked certificates (tls::ServerContext); what reaches here is the name of an
// accepted one (http::Context::client_certificate).
//
// A certificate named `billing.acme.internal` becomes the principal `service:billing.acme.internal`
// (kind service, method client_certificate) with the scopes the table grants that name; a trusted
// certificate the table does not name is that service with no scopes (authenticated, authorized for
// nothing beyond public routes).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/auth/principal.hpp"

namespace tachyon::auth {

struct ClientCertificateRules {
  // Certificate name → the scopes its service is granted.
  std::map<std::string, std::vector<std::string>, std::less<>> service_scopes;
  // Paths that need a verified client certificate whatever other credentials come along, e.g.
  // "/internal": that path and everything under it ("/internal/x", not "/internals").
  std::vector<std::string> required_path_prefixes;
};

class ClientCertificates {
 public:
  explicit ClientCertificates(ClientCertificateRules rules);

  // The principal for a verified certificate's name (not empty). Named services share one prebuilt
  // principal; others get a fresh one without scopes.
  std::shared_ptr<const Principal> principal_for(std::string_view name) const;
  // True when `path` is under one of the prefixes that need a certificate.
  bool required_for(std::string_view path) const;

 private:
  std::map<std::string, std::shared_ptr<const Principal>, std::less<>> services_;
  std::vector<std::string> required_path_prefixes_;
};

}  // namespace tachyon::auth
