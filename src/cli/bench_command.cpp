// `tachyon bench`: the load generator's command line (engine in src/tachyon/loadgen/).
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "tachyon/core/url.hpp"
#include "tachyon/loadgen/compare.hpp"
#include "tachyon/loadgen/engine.hpp"
#include "tachyon/loadgen/html_report.hpp"
#include "tachyon/loadgen/scenario.hpp"
#include "tachyon/loadgen/summary.hpp"
#include "tachyon/loadgen/thresholds.hpp"

namespace tachyon::cli {
namespace {

using namespace tachyon::loadgen;

constexpr const char* bench_usage =
    "Usage: tachyon bench [options] URL      (http://, https:// with SNI, or --unix)\n"
    "       tachyon bench compare A.json B.json\n"
    "\n"
    "Closed model (default): N connections send as fast as the server answers (like wrk).\n"
    "Open model (--rate or --stages): requests are due on a schedule and latency runs from the due\n"
    "time, so server stalls are not hidden (coordinated omission corrected).\n"
    "\n"
    "  -c, --connections N   connections (default 10)\n"
    "  -t, --threads N       threads, one event loop each (default 2)\n"
    "  -d, --duration D      run time: 500ms, 10s, 2m (default 10s)\n"
    "  -R, --rate R          open model at R requests/s\n"
    "  --stages D:R,...      open model ramping linearly to each rate, e.g. 10s:1000,20s:5000\n"
    "  --poisson             Poisson arrivals instead of evenly spaced ones\n"
    "  --pipeline N          requests in flight per connection (default 1)\n"
    "  --timeout D           a request unanswered this long is an error (default 10s)\n"
    "  --timestamps kernel|user  when a response arrived: the kernel's receive stamp (default; plain\n"
    "                        TCP), so the generator's own wake-up delay is not counted, or this\n"
    "                        thread's clock after the read (user; always for TLS and unix sockets)\n"
    "  -m, --method M        request method (default GET)\n"
    "  -H, --header 'N: v'   extra request header (repeatable)\n"
    "  --body TEXT           request body\n"
    "  --think-time T        pause after each response: 10ms, or a random range 5ms-20ms\n"
    "  --scenario FILE       requests from a JSON or YAML scenario (flow, weighted requests, CSV data,\n"
    "                        generators, think times, named scenarios with their own rates)\n"
    "  --unix PATH           connect to a unix socket (the URL gives Host and path)\n"
    "  --json FILE           write the summary as JSON\n"
    "  --hgrm FILE           write the latency percentile distribution (HdrHistogram .hgrm)\n"
    "  --html FILE           write a self-contained HTML report with plots\n"
    "  --ndjson FILE         write one JSON line per second (rate, errors, p99 so far, server CPU/RSS)\n"
    "  --server-pid PID      sample the server's CPU and RSS from /proc every second\n"
    "  --threshold EXPR      fail (exit 1) unless EXPR holds: p95<200ms, error_rate<0.1%, rps>1000\n"
    "  --progress            print a progress line every second (default: when stderr is a terminal)\n"
    "  --quiet               no progress line\n";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "tachyon bench: %s\n\n%s", message.c_str(), bench_usage);
  return 2;
}

std::optional<std::vector<Stage>> parse_stages(std::string_view text) {
  std::vector<Stage> stages;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    std::size_t colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto duration = parse_duration(item.substr(0, colon));
    double rate = 0;
    std::string_view rate_text = item.substr(colon + 1);
    auto [end, error] = std::from_chars(rate_text.data(), rate_text.data() + rate_text.size(), rate);
    if (!duration || duration->count() <= 0 || error != std::errc() || end != rate_text.data() + rate_text.size() ||
        rate < 0) {
      return std::nullopt;
    }
    stages.push_back({*duration, rate});
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (stages.empty()) return std::nullopt;
  return stages;
}

struct ParsedUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/";
  std::string host_header;
  bool tls = false;
  std::string server_name;  // the host as written, unless it is an IP literal (RFC 6066 section 3)
};

std::optional<ParsedUrl> parse_url(std::string_view text, std::string& error) {
  core::Url url;
  try {
    url = core::parse_url(text);
  } catch (const core::UrlError& failure) {
    return error = std::string("bad URL: ") + failure.what(), std::nullopt;
  }
  if (url.scheme != "http" && url.scheme != "https") {
    return error = "the URL must start with http:// or https://", std::nullopt;
  }
  ParsedUrl parsed;
  parsed.tls = url.scheme == "https";
  parsed.port = url.port;
  parsed.host_header = url.host_and_port();
  parsed.path = url.path.empty() ? "/" : url.path;
  if (url.has_query) parsed.path += "?" + url.query;
  const std::string& host_text = url.host;
  if (url.host_kind == core::HostKind::name) parsed.server_name = host_text;
  // Resolve once, up front: the engine connects to a numeric address.
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host_text.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return error = "cannot resolve host '" + host_text + "'", std::nullopt;
  }
  char numeric[INET6_ADDRSTRLEN] = {};
  if (found->ai_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(found->ai_addr)->sin6_addr, numeric, sizeof numeric);
  } else {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, numeric, sizeof numeric);
  }
  ::freeaddrinfo(found);
  parsed.host = numeric;
  return parsed;
}

std::optional<int> parse_count(std::string_view text, int minimum) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < minimum) return std::nullopt;
  return value;
}

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary);
  file << content;
  return static_cast<bool>(file);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// CPU seconds (user + system) and resident bytes of another process, from /proc (proc(5)).
struct ProcessSample {
  double cpu_seconds = 0;
  std::uint64_t rss_bytes = 0;
};

std::optional<ProcessSample> sample_process(int pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto statm = read_file("/proc/" + std::to_string(pid) + "/statm");
  if (!stat || !statm) return std::nullopt;
  // The command name may hold spaces: fields are counted after its closing parenthesis.
  std::size_t close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat->substr(close + 2));
  std::string field;
  unsigned long long user = 0;
  unsigned long long system = 0;
  for (int number = 3; fields >> field; ++number) {
    if (number == 14) user = std::stoull(field);
    if (number == 15) {
      system = std::stoull(field);
      break;
    }
  }
  std::istringstream pages(*statm);
  unsigned long long size = 0;
  unsigned long long resident = 0;
  pages >> size >> resident;
  double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return ProcessSample{static_cast<double>(user + system) / ticks,
                       resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE))};
}

int compare_command(int argument_count, char** arguments) {
  if (argument_count != 2) return usage_error("compare takes two JSON summaries");
  auto first = read_file(arguments[0]);
  auto second = read_file(arguments[1]);
  if (!first || !second) return usage_error(std::string("cannot read ") + (first ? arguments[1] : arguments[0]));
  std::string error;
  auto table = compare_summaries(*first, *second, error);
  if (!table) {
    std::fprintf(stderr, "tachyon bench compare: %s\n", error.c_str());
    return 2;
  }
  std::printf("A = %s\nB = %s\n%s", arguments[0], arguments[1], table->c_str());
  return 0;
}

struct BenchArguments {
  LoadOptions options;
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;
  std::optional<std::string> body;
  std::string json_path;
  std::string hgrm_path;
  std::string ndjson_path;
  std::string scenario_path;
  std::string html_path;
  int server_pid = 0;
  std::vector<Threshold> thresholds;
  std::optional<bool> progress;
};

// Parses the flags; returns an error message for a usage error.
std::optional<std::string> parse_arguments(int argument_count, char** arguments, BenchArguments& parsed) {
  LoadOptions& options = parsed.options;
  for (int index = 0; index < argument_count; ++index) {
    std::string_view flag = arguments[index];
    auto value = [&]() -> std::optional<std::string_view> {
      if (index + 1 >= argument_count) return std::nullopt;
      return std::string_view(arguments[++index]);
    };
    if (flag == "--poisson") {
      options.poisson = true;
      continue;
    }
    if (flag == "--progress") {
      parsed.progress = true;
      continue;
    }
    if (flag == "--quiet") {
      parsed.progress = false;
      continue;
    }
    if (flag.empty() || flag[0] != '-') {
      if (!parsed.url.empty()) return "more than one URL";
      parsed.url = std::string(flag);
      continue;
    }
    auto text = value();
    if (!text) return "option " + std::string(flag) + " needs a value";
    if (flag == "-c" || flag == "--connections") {
      auto count = parse_count(*text, 1);
      if (!count) return "--connections must be a positive integer";
      options.connections = *count;
    } else if (flag == "-t" || flag == "--threads") {
      auto count = parse_count(*text, 1);
      if (!count) return "--threads must be a positive integer";
      options.threads = *count;
    } else if (flag == "--timestamps") {
      if (*text != "kernel" && *text != "user") return "--timestamps must be kernel or user";
      options.kernel_timestamps = *text == "kernel";
    } else if (flag == "--pipeline") {
      auto count = parse_count(*text, 1);
      if (!count) return "--pipeline must be a positive integer";
      options.pipeline = *count;
    } else if (flag == "-d" || flag == "--duration" || flag == "--timeout") {
      auto duration = parse_duration(*text);
      if (!duration || duration->count() <= 0) return std::string(flag) + " takes a duration like 10s or 500ms";
      (flag == "--timeout" ? options.timeout : options.duration) = *duration;
    } else if (flag == "-R" || flag == "--rate") {
      double rate = 0;
      auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), rate);
      if (error != std::errc() || end != text->data() + text->size() || rate <= 0)
        return "--rate must be a positive number";
      options.rate = rate;
    } else if (flag == "--stages") {
      auto stages = parse_stages(*text);
      if (!stages) return "--stages takes DURATION:RATE pairs, e.g. 10s:1000,20s:5000";
      options.stages = *stages;
    } else if (flag == "-m" || flag == "--method") {
      parsed.method = std::string(*text);
    } else if (flag == "-H" || flag == "--header") {
      if (text->find(':') == std::string_view::npos) return "--header takes 'Name: value'";
      parsed.headers.emplace_back(*text);
    } else if (flag == "--think-time") {
      auto think = parse_think_time(*text);
      if (!think) return "--think-time takes a duration like 10ms or a range like 5ms-20ms";
      options.think_time = *think;
    } else if (flag == "--body") {
      parsed.body = std::string(*text);
    } else if (flag == "--unix") {
      options.target.unix_path = std::string(*text);
    } else if (flag == "--json") {
      parsed.json_path = std::string(*text);
    } else if (flag == "--hgrm") {
      parsed.hgrm_path = std::string(*text);
    } else if (flag == "--scenario") {
      parsed.scenario_path = std::string(*text);
    } else if (flag == "--html") {
      parsed.html_path = std::string(*text);
    } else if (flag == "--ndjson") {
      parsed.ndjson_path = std::string(*text);
    } else if (flag == "--server-pid") {
      auto pid = parse_count(*text, 1);
      if (!pid) return "--server-pid must be a process id";
      parsed.server_pid = *pid;
    } else if (flag == "--threshold") {
      std::string error;
      auto threshold = parse_threshold(*text, error);
      if (!threshold) return error;
      parsed.thresholds.push_back(*threshold);
    } else {
      return "unknown option " + std::string(flag);
    }
  }
  if (parsed.url.empty()) return "no URL given";
  return std::nullopt;
}

std::string build_request(const BenchArguments& parsed, const ParsedUrl& url) {
  std::string request = parsed.method + " " + url.path + " HTTP/1.1\r\nHost: " + url.host_header + "\r\n";
  for (const std::string& header : parsed.headers) request += header + "\r\n";
  if (parsed.body) request += "Content-Length: " + std::to_string(parsed.body->size()) + "\r\n";
  request += "\r\n";
  if (parsed.body) request += *parsed.body;
  return request;
}

}  // namespace

int bench_command(int argument_count, char** arguments) {
  if (argument_count >= 1 && std::string_view(arguments[0]) == "compare") {
    return compare_command(argument_count - 1, arguments + 1);
  }
  if (argument_count >= 1 && (std::string_view(arguments[0]) == "--help" || std::string_view(arguments[0]) == "-h")) {
    std::fputs(bench_usage, stdout);
    return 0;
  }
  BenchArguments parsed;
  if (auto error = parse_arguments(argument_count, arguments, parsed)) return usage_error(*error);
  std::string url_error;
  auto url = parse_url(parsed.url, url_error);
  if (!url) return usage_error(url_error);
  LoadOptions& options = parsed.options;
  options.target.host = url->host;
  options.target.port = url->port;
  options.target.tls = url->tls;
  options.target.server_name = url->server_name;
  options.request = build_request(parsed, *url);
  options.head_request = parsed.method == "HEAD";
  std::optional<ScenarioFile> scenarios;
  if (!parsed.scenario_path.empty()) {
    std::string scenario_error;
    scenarios = load_scenario_file(parsed.scenario_path, scenario_error);
    if (!scenarios) return usage_error(scenario_error);
    for (Scenario& scenario : scenarios->scenarios) scenario.host_header = url->host_header;
    if (scenarios->named) {
      // Each named scenario brings its own load; the command line gives only the default connections.
      if (options.rate > 0 || !options.stages.empty()) {
        return usage_error("--rate and --stages do not apply to a file of named scenarios (give each its \"rate\")");
      }
      for (const Scenario& scenario : scenarios->scenarios) {
        LoadGroup group;
        group.name = scenario.name;
        group.connections = scenario.connections > 0 ? scenario.connections : options.connections;
        group.rate = scenario.rate;
        group.stages = scenario.stages;
        group.scenario = &scenario;
        group.think_time = options.think_time;
        options.groups.push_back(group);
      }
    } else {
      options.scenario = &scenarios->scenarios.front();
    }
    // A flow step needs its answer (a captured token) before the next request is built.
    options.pipeline = 1;
  }

  bool show_progress =
      parsed.progress.value_or(::isatty(STDERR_FILENO) == 1 && options.total_duration() > std::chrono::seconds(3));
  std::string series;
  std::vector<SecondSample> samples;
  std::optional<ProcessSample> previous_sample = parsed.server_pid ? sample_process(parsed.server_pid) : std::nullopt;
  std::uint64_t previous_completed = 0;
  auto on_tick = [&](const Tick& tick) {
    double rate = static_cast<double>(tick.completed - previous_completed);
    previous_completed = tick.completed;
    std::optional<ProcessSample> sample = parsed.server_pid ? sample_process(parsed.server_pid) : std::nullopt;
    char line[256];
    std::snprintf(line, sizeof line, R"({"t":%.0f,"rps":%.0f,"requests":%llu,"errors":%llu,"p99_so_far_us":%lld)",
                  tick.elapsed_seconds, rate, static_cast<unsigned long long>(tick.completed),
                  static_cast<unsigned long long>(tick.errors), static_cast<long long>(tick.p99_so_far_us));
    series += line;
    SecondSample second{tick.elapsed_seconds, rate, tick.errors, tick.p99_so_far_us};
    if (sample && previous_sample) {
      second.server_cpu = sample->cpu_seconds - previous_sample->cpu_seconds;
      second.server_rss_megabytes = static_cast<double>(sample->rss_bytes) / 1e6;
    }
    samples.push_back(second);
    if (sample && previous_sample) {
      std::snprintf(line, sizeof line, R"(,"server_cpu":%.3f,"server_rss_bytes":%llu)",
                    sample->cpu_seconds - previous_sample->cpu_seconds,
                    static_cast<unsigned long long>(sample->rss_bytes));
      series += line;
    }
    series += "}\n";
    if (sample) previous_sample = sample;
    if (show_progress) {
      std::fprintf(stderr, "[%4.0fs] %8.0f req/s  %llu requests  %llu errors  p99 so far %s\n", tick.elapsed_seconds,
                   rate, static_cast<unsigned long long>(tick.completed), static_cast<unsigned long long>(tick.errors),
                   format_microseconds(static_cast<double>(tick.p99_so_far_us)).c_str());
    }
  };
  bool want_ticks = show_progress || !parsed.ndjson_path.empty() || !parsed.html_path.empty() || parsed.server_pid != 0;
  RunResult result = run_load(options, want_ticks ? TickCallback(on_tick) : TickCallback());

  RunDescription description{parsed.url, &options};
  std::fputs(format_summary(result, description).c_str(), stdout);
  if (previous_sample) {
    std::printf("  server    pid %d: %.1f MB RSS at the end\n", parsed.server_pid,
                static_cast<double>(previous_sample->rss_bytes) / 1e6);
  }
  // Busy generator threads add their own queueing to every figure: say so.
  if (auto warning = saturation_warning(result, std::max(1u, std::thread::hardware_concurrency()))) {
    std::fprintf(stderr, "warning: %s\n", warning->c_str());
  }
  if (!parsed.json_path.empty() && !write_file(parsed.json_path, summary_json(result, description))) {
    std::fprintf(stderr, "tachyon bench: cannot write %s\n", parsed.json_path.c_str());
    return 1;
  }
  if (!parsed.hgrm_path.empty() && !write_file(parsed.hgrm_path, result.stats.latency.percentile_distribution())) {
    std::fprintf(stderr, "tachyon bench: cannot write %s\n", parsed.hgrm_path.c_str());
    return 1;
  }
  if (!parsed.ndjson_path.empty() && !write_file(parsed.ndjson_path, series)) {
    std::fprintf(stderr, "tachyon bench: cannot write %s\n", parsed.ndjson_path.c_str());
    return 1;
  }
  if (!parsed.html_path.empty() && !write_file(parsed.html_path, html_report(result, description, samples))) {
    std::fprintf(stderr, "tachyon bench: cannot write %s\n", parsed.html_path.c_str());
    return 1;
  }
  int exit_code = 0;
  for (const Threshold& threshold : parsed.thresholds) {
    ThresholdOutcome outcome = evaluate_threshold(threshold, result);
    std::printf("  threshold %-22s %s (actual %g)\n", threshold.text.c_str(), outcome.passed ? "passed" : "FAILED",
                outcome.actual);
    if (!outcome.passed) exit_code = 1;
  }
  return exit_code;
}

}  // namespace tachyon::cli
