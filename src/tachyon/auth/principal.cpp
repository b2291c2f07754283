#include "tachyon/auth/principal.hpp"

namespace tachyon::auth {

std::string_view kind_name(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::user:
      return "user";
    case PrincipalKind::api_key:
      return "api_key";
    case PrincipalKind::service:
      return "service";
  }
  return "user";
}

std::string_view method_name(AuthMethod method) {
  switch (method) {
    case AuthMethod::access_token:
      return "access_token";
    case AuthMethod::api_key:
      return "api_key";
    case AuthMethod::client_certificate:
      return "client_certificate";
  }
  return "access_token";
}

}  // namespace tachyon::auth
