// Security events: every login success or failure, every denial (401/403) and every revocation, as one
// structured record (who, from which address, what, why) through one interface. Each event is logged
// as a "security event" line and counted in `tachyon_auth_attempts_total{method,outcome}` and
// `tachyon_auth_denied_total{reason}`; further consumers (the rate limiter, the ban detector, the audit
// trail) subscribe as sinks. No event ever holds a credential.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace tachyon::auth {

// credential_rejected: a request presented an access token or API key that did not authenticate (an
// authentication attempt that failed, and a denial); access_denied: a 401 for no credentials, a 403.
enum class SecurityEventType : std::uint8_t {
  login_succeeded,
  login_failed,
  credential_rejected,
  access_denied,
  token_revoked
};
std::string_view event_type_name(SecurityEventType type);

struct SecurityEvent {
  SecurityEventType type;
  std::string_view subject;  // "user:12", the username tried, or empty when unknown
  std::string_view client_address;
  std::string_view method;  // "password", "refresh_token", "access_token", "api_key", ...
  std::string_view what;    // the route template or the action ("revoke")
  std::string_view reason;  // fixed text: "bad_password", "expired", "missing_scope", ...
  std::string_view request_id;
  int status = 0;  // the HTTP status answered, when there is one
};

using SecurityEventSink = std::function<void(const SecurityEvent&)>;

class SecurityEvents {
 public:
  // Registers the counters in the default metrics registry.
  SecurityEvents();
  // Sinks run on the thread that emitted, synchronously: they must be quick (queue, count).
  void add_sink(SecurityEventSink sink);
  void emit(const SecurityEvent& event) const;

 private:
  mutable std::mutex sinks_mutex_;
  std::vector<SecurityEventSink> sinks_;
};

}  // namespace tachyon::auth
