// Integration-test support: starts the real `tachyon` binary on an ephemeral port (learning the port
// from its "listening" log line), and speaks raw HTTP/1.1 to it over TCP so tests control every byte.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tachyon::testing {

using namespace std::chrono_literals;

struct CommandResult {
  int exit_code = -1;
  std::string standard_output;
  std::string standard_error;
};

// Runs `tachyon <arguments>` to completion with extra environment variables (and TACHYON_ENV_FILE
// pointing at nothing, so a developer's .env never leaks into a test; DATABASE_URL=sqlite::memory: and
// TACHYON_DEMO_DATA=false unless `environment` says otherwise).
// `standard_input` is what the child reads on its stdin (then end of file).
CommandResult run_tachyon(const std::vector<std::string>& arguments,
                          const std::map<std::string, std::string>& environment = {},
                          std::chrono::milliseconds timeout = 20s, const std::string& standard_input = "");

// Runs `command` with /bin/sh; stdout and stderr together in `output`. Returns the exit code (-1 when
// it did not exit normally).
int run_shell(const std::string& command, std::string& output);
// True when `name` is an executable on PATH.
bool have_program(const std::string& name);

class ServerProcess {
 public:
  // Starts `tachyon serve --port 0 <flags>` and waits until it listens.
  explicit ServerProcess(std::vector<std::string> flags = {}, std::map<std::string, std::string> environment = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  int pid() const { return pid_; }
  void send_signal(int signal_number) const;
  // Waits for the process to exit; returns its exit code, or -signal if a signal killed it.
  int wait_for_exit(std::chrono::milliseconds timeout = 15s);
  // Everything it printed on stdout so far.
  std::string output() const;
  // Waits until its stdout contains `text` (the log is read from a pipe by another thread, so a line
  // written before a response can arrive after it); returns the output either way.
  std::string wait_for_output(std::string_view text, std::chrono::milliseconds timeout = 10s) const;
  // Waits for the HTTPS listener's startup line and returns its port (0 when it never came).
  std::uint16_t wait_for_https_port() const;

 private:
  void read_output(int descriptor);

  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::optional<int> exit_code_;
  std::thread reader_;
  mutable std::mutex output_mutex_;
  std::string output_;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_case_name) const;
  bool has_header(const std::string& lower_case_name) const { return headers.count(lower_case_name) > 0; }
};

class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(std::string_view bytes);
  // Reads one complete response (Content-Length, chunked, or until close). `head_request` means no body.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = 10s, bool head_request = false);
  // True when the server closes the connection (EOF or reset) within the timeout, after discarding
  // anything it still sends.
  bool wait_closed(std::chrono::milliseconds timeout = 10s);
  bool is_open();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);

  int descriptor_ = -1;
  std::string buffer_;
  bool peer_closed_ = false;
};

// One request on a fresh connection.
std::optional<HttpResponse> request(std::uint16_t port, std::string_view raw_request,
                                    std::chrono::milliseconds timeout = 10s);
// "GET <path> HTTP/1.1\r\nHost: test\r\n<extra>\r\n"
std::string get_request(std::string_view path, std::string_view extra_headers = "");
std::string post_request(std::string_view path, std::string_view body,
                         std::string_view content_type = "application/json", std::string_view extra_headers = "");

}  // namespace tachyon::testing
