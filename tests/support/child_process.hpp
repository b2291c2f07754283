// Child processes for tests: starting a program (no shell) with chosen descriptors, environment and
// user, and running one to completion under a deadline that holds even when the child never closes its
// output. Tests start threads (std::async clients, readers), so everything the child needs is built
// before fork(), and between fork() and exec the child makes only async-signal-safe calls.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tachyon::testing {

// Whom a child runs as (setgroups, setgid, setuid before exec).
struct ChildUser {
  uid_t uid;
  gid_t gid;
  std::vector<gid_t> groups;
};

struct ChildSpec {
  std::vector<std::string> arguments;              // arguments[0]: an absolute path
  std::map<std::string, std::string> environment;  // set over the test process's own environment
  int standard_input = -1;                         // -1: the test's own
  int standard_output = 1;
  int standard_error = 2;
  int death_signal = 0;  // sent to the child when the test process dies (PR_SET_PDEATHSIG); 0: none
  std::optional<ChildUser> user;
  std::string working_directory;  // empty: the test's own
};

// Starts the child and returns its pid. Every descriptor above 2 is closed in the child. Throws when
// fork fails; a child that cannot exec exits 127 (126 when it cannot switch user or directory).
pid_t start_child(const ChildSpec& spec);

struct ChildRun {
  int exit_code = -1;  // the exit status, or minus the signal that ended it
  bool timed_out = false;
  std::string standard_output;
  std::string standard_error;
  std::string state_at_timeout;  // each thread's state and kernel wait channel when it was killed
};

// Runs the child with `input` on its stdin (then end of file) and its stdout and stderr captured. At
// `timeout` it is killed with SIGKILL, whatever it still holds open, and the run says so.
ChildRun run_child(ChildSpec spec, const std::string& input, std::chrono::milliseconds timeout);

// Waits for `pid` to exit within `timeout`, reaping it; nullopt when it is still running.
std::optional<int> wait_for_child(pid_t pid, std::chrono::milliseconds timeout);

// The exit code from a waitpid status: the exit status, or minus the terminating signal.
int decode_wait_status(int status);

}  // namespace tachyon::testing
