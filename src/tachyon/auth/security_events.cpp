#include "tachyon/auth/security_events.hpp"

#include "tachyon/observe/log.hpp"
#include "tachyon/observe/metrics.hpp"

namespace tachyon::auth {

namespace {

// Label values come from fixed strings in the code (methods and reasons), so the series stay bounded;
// the families cap them anyway.
class AuthCounters {
 public:
  AuthCounters()
      : attempts_(observe::default_registry().counter_family(
            "tachyon_auth_attempts_total", "Authentication attempts by method and outcome", {"method", "outcome"})),
        denied_(observe::default_registry().counter_family(
            "tachyon_auth_denied_total", "Requests refused with 401 or 403, by reason", {"reason"})) {}

  void count_attempt(std::string_view method, std::string_view outcome) { attempts_.labels({method, outcome}).add(); }
  void count_denial(std::string_view reason) { denied_.labels({reason}).add(); }

 private:
  observe::CounterFamily& attempts_;
  observe::CounterFamily& denied_;
};

AuthCounters& counters() {
  static AuthCounters instance;
  return instance;
}

}  // namespace

std::string_view event_type_name(SecurityEventType type) {
  switch (type) {
    case SecurityEventType::login_succeeded:
      return "login_succeeded";
    case SecurityEventType::login_failed:
      return "login_failed";
    case SecurityEventType::credential_rejected:
      return "credential_rejected";
    case SecurityEventType::access_denied:
      return "access_denied";
    case SecurityEventType::token_revoked:
      return "token_revoked";
  }
  return "unknown";
}

SecurityEvents::SecurityEvents() {
  counters();
}

void SecurityEvents::add_sink(SecurityEventSink sink) {
  std::lock_guard lock(sinks_mutex_);
  sinks_.push_back(std::move(sink));
}

void SecurityEvents::emit(const SecurityEvent& event) const {
  switch (event.type) {
    case SecurityEventType::login_succeeded:
      counters().count_attempt(event.method, "success");
      break;
    case SecurityEventType::login_failed:
      counters().count_attempt(event.method, "failure");
      break;
    case SecurityEventType::credential_rejected:
      counters().count_attempt(event.method, "failure");
      counters().count_denial(event.reason);
      break;
    case SecurityEventType::access_denied:
      counters().count_denial(event.reason);
      break;
    case SecurityEventType::token_revoked:
      break;
  }
  observe::log_event(
      event.type == SecurityEventType::login_succeeded ? observe::LogLevel::info : observe::LogLevel::warn,
      "security event",
      {{"event", event_type_name(event.type)},
       {"subject", event.subject},
       {"client_ip", event.client_address},
       {"method", event.method},
       {"what", event.what},
       {"reason", event.reason},
       {"status", event.status},
       {"request_id", event.request_id}});
  std::lock_guard lock(sinks_mutex_);
  for (const SecurityEventSink& sink : sinks_) sink(event);
}

}  // namespace tachyon::auth
