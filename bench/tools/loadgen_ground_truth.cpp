// The load-generator tests' ground-truth server (tests/support/loadgen_ground_truth_server.*) as a
// program for bench/loadgen_vs_wrk.sh: answers every request after an exact delay, optionally
// freezes once, prints "port N" when it listens, and on SIGTERM or SIGINT writes each request's
// server-side time (kernel receipt of the request to response written, microseconds) to the log
// file, one per line.
//
// Usage: loadgen_ground_truth [--delay-us N] [--stall-after-ms N --stall-for-ms N] [--log FILE]
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "support/loadgen_ground_truth_server.hpp"

int main(int argument_count, char** arguments) {
  tachyon::testing::GroundTruthOptions options;
  std::string log_path;
  for (int index = 1; index + 1 < argument_count; index += 2) {
    std::string flag = arguments[index];
    const char* value = arguments[index + 1];
    if (flag == "--delay-us") {
      options.delay = std::chrono::microseconds(std::atoll(value));
    } else if (flag == "--stall-after-ms") {
      options.stall_after = std::chrono::milliseconds(std::atoll(value));
    } else if (flag == "--stall-for-ms") {
      options.stall_for = std::chrono::milliseconds(std::atoll(value));
    } else if (flag == "--log") {
      log_path = value;
    } else {
      std::fprintf(stderr, "loadgen_ground_truth: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  // The signals are waited for, not handled: block them before any server thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::vector<std::int64_t> times;
  {
    tachyon::testing::GroundTruthServer server(options);
    std::printf("port %u\n", static_cast<unsigned>(server.port()));
    std::fflush(stdout);
    int received = 0;
    sigwait(&stop_signals, &received);
    times = server.handling_times();
  }
  if (!log_path.empty()) {
    std::ofstream log(log_path);
    for (std::int64_t time : times) log << time << '\n';
  }
  return 0;
}
