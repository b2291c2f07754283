#include "tachyon/observe/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tachyon/core/build_revision.hpp"

namespace tachyon::observe {

namespace {

struct ProcessStat {
  double cpu_seconds = 0;
  double start_time = 0;
  double threads = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

double boot_time_seconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value;
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

// proc(5): fields after the parenthesised command name, which may itself contain spaces.
ProcessStat read_process_stat() {
  ProcessStat result;
  std::ifstream file("/proc/self/stat");
  std::string line;
  if (!std::getline(file, line)) return result;
  std::size_t close = line.rfind(')');
  if (close == std::string::npos) return result;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> values;
  for (std::string value; fields >> value;) values.push_back(value);
  // values[0] is field 3 (state): field N is values[N - 3].
  if (values.size() < 22) return result;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  result.cpu_seconds = (std::stod(values[14 - 3]) + std::stod(values[15 - 3])) / ticks;
  result.threads = std::stod(values[20 - 3]);
  result.start_time = boot_time_seconds() + std::stod(values[22 - 3]) / ticks;
  result.virtual_bytes = std::stod(values[23 - 3]);
  result.resident_bytes = std::stod(values[24 - 3]) * static_cast<double>(sysconf(_SC_PAGESIZE));
  return result;
}

double open_descriptors() {
  std::error_code error;
  double count = 0;
  for (std::filesystem::directory_iterator entry("/proc/self/fd", error), end; !error && entry != end;
       entry.increment(error)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;  // minus the descriptor the iteration itself holds open
}

double max_descriptors() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<double>(limit.rlim_cur);
}

FamilySnapshot single(std::string name, std::string help, MetricType type, double value) {
  FamilySnapshot family{.name = std::move(name), .help = std::move(help), .type = type};
  family.series.push_back(SeriesSnapshot{.value = value});
  return family;
}

}  // namespace

void register_process_metrics(Registry& registry) {
  registry.add_collector([](std::vector<FamilySnapshot>& out) {
    ProcessStat stat = read_process_stat();
    out.push_back(single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                         MetricType::counter, stat.cpu_seconds));
    out.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::gauge,
                         stat.resident_bytes));
    out.push_back(
        single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::gauge, stat.virtual_bytes));
    out.push_back(
        single("process_open_fds", "Number of open file descriptors.", MetricType::gauge, open_descriptors()));
    out.push_back(
        single("process_max_fds", "Maximum number of open file descriptors.", MetricType::gauge, max_descriptors()));
    out.push_back(single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                         MetricType::gauge, stat.start_time));
    out.push_back(single("process_threads", "Number of OS threads in the process.", MetricType::gauge, stat.threads));
    FamilySnapshot build{.name = "tachyon_build_info",
                         .help = "Tachyon build: version and git revision; always 1.",
                         .type = MetricType::info,
                         .label_names = {"version", "revision"}};
    build.series.push_back(
        SeriesSnapshot{.label_values = {TACHYON_VERSION, std::string(core::build_revision())}, .value = 1});
    out.push_back(std::move(build));
  });
}

}  // namespace tachyon::observe
