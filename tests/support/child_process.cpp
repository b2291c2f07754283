#include "support/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tachyon::testing {
namespace {

using namespace std::chrono_literals;

// The child's whole environment as "NAME=value" strings: the test's own with `overrides` set over it.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::size_t equals = text.find('=');
    if (equals != std::string_view::npos) merged[std::string(text.substr(0, equals))] = text.substr(equals + 1);
  }
  for (const auto& [name, value] : overrides) merged[name] = value;
  std::vector<std::string> lines;
  for (const auto& [name, value] : merged) lines.push_back(name + "=" + value);
  return lines;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string first_line_of(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

// "tid comm state wchan" per thread, read from /proc before the child is killed.
std::string thread_states(pid_t pid) {
  std::string states;
  std::error_code error;
  std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::string stat = first_line_of(task.path() / "stat");
    std::size_t name_end = stat.rfind(')');
    std::string state = name_end == std::string::npos ? "?" : stat.substr(name_end + 2, 1);
    states += task.path().filename().string() + " " + first_line_of(task.path() / "comm") + " " + state + " " +
              first_line_of(task.path() / "wchan") + "\n";
  }
  return states;
}

}  // namespace

int decode_wait_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

pid_t start_child(const ChildSpec& spec) {
  if (spec.arguments.empty()) throw std::invalid_argument("start_child: no program");
  std::vector<std::string> arguments = spec.arguments;
  std::vector<char*> argv = pointers_to(arguments);
  std::vector<std::string> environment = environment_with(spec.environment);
  std::vector<char*> envp = pointers_to(environment);
  pid_t parent = ::getpid();
  pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child > 0) return child;
  // The child: async-signal-safe calls only (another thread may have held any lock at the fork).
  if (spec.user && (::setgroups(spec.user->groups.size(), spec.user->groups.data()) != 0 ||
                    ::setgid(spec.user->gid) != 0 || ::setuid(spec.user->uid) != 0)) {
    ::_exit(126);
  }
  // After the user switch, which clears it; then the parent may already have gone.
  if (spec.death_signal != 0) {
    ::prctl(PR_SET_PDEATHSIG, spec.death_signal);
    if (::getppid() != parent) ::_exit(1);
  }
  if (spec.standard_input >= 0) ::dup2(spec.standard_input, 0);
  if (spec.standard_output != 1) ::dup2(spec.standard_output, 1);
  if (spec.standard_error != 2) ::dup2(spec.standard_error, 2);
  // Nothing else of the test process: an inherited listening socket (an upstream stub's, say) would
  // keep accepting in the child after the test closed it.
  ::close_range(3, ~0U, 0);
  if (!spec.working_directory.empty() && ::chdir(spec.working_directory.c_str()) != 0) ::_exit(126);
  ::execve(argv[0], argv.data(), envp.data());
  ::_exit(127);
}

std::optional<int> wait_for_child(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
  return decode_wait_status(status);
}

ChildRun run_child(ChildSpec spec, const std::string& input, std::chrono::milliseconds timeout) {
  // stdin is a socket so that writing to a child that has exited fails with EPIPE instead of SIGPIPE.
  int input_pair[2], output_pipe[2], errors_pipe[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, input_pair) != 0) throw std::runtime_error("socketpair");
  if (::pipe2(output_pipe, O_CLOEXEC) != 0 || ::pipe2(errors_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  spec.standard_input = input_pair[1];
  spec.standard_output = output_pipe[1];
  spec.standard_error = errors_pipe[1];
  pid_t pid = start_child(spec);
  for (int child_end : {input_pair[1], output_pipe[1], errors_pipe[1]}) ::close(child_end);
  int to_child = input_pair[0];
  ::fcntl(to_child, F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (input.empty()) ::shutdown(to_child, SHUT_WR);
  ChildRun run;
  pollfd watched[3] = {{output_pipe[0], POLLIN, 0}, {errors_pipe[0], POLLIN, 0}, {to_child, POLLOUT, 0}};
  std::string* sinks[2] = {&run.standard_output, &run.standard_error};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::max(0ms,
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  };
  while ((watched[0].fd >= 0 || watched[1].fd >= 0) && left() > 0ms) {
    if (written == input.size()) watched[2].fd = -1;
    if (::poll(watched, 3, static_cast<int>(left().count())) < 0) continue;
    for (int stream = 0; stream < 2; ++stream) {
      if (watched[stream].fd < 0 || watched[stream].revents == 0) continue;
      char buffer[4096];
      ssize_t read = ::read(watched[stream].fd, buffer, sizeof buffer);
      if (read < 0 && errno == EINTR) continue;
      if (read > 0) {
        sinks[stream]->append(buffer, static_cast<std::size_t>(read));
      } else {
        ::close(watched[stream].fd);
        watched[stream].fd = -1;
      }
    }
    if (watched[2].fd >= 0 && watched[2].revents != 0) {
      ssize_t sent = ::send(to_child, input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (sent > 0) {
        written += static_cast<std::size_t>(sent);
      } else if (errno != EAGAIN && errno != EINTR) {
        written = input.size();  // EPIPE: the child stopped reading; what it says about it is on its stderr
      }
      if (written == input.size()) ::shutdown(to_child, SHUT_WR);
    }
  }
  for (int descriptor : {watched[0].fd, watched[1].fd, to_child})
    if (descriptor >= 0) ::close(descriptor);
  if (std::optional<int> exit_code = wait_for_child(pid, left())) {
    run.exit_code = *exit_code;
    return run;
  }
  run.timed_out = true;
  run.state_at_timeout = thread_states(pid);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = decode_wait_status(status);
  return run;
}

}  // namespace tachyon::testing
