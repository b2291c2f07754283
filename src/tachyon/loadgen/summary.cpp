#include "tachyon/loadgen/summary.hpp"

#include <algorithm>
#include <cstdio>

#include "tachyon/json/writer.hpp"
#include "tachyon/loadgen/scenario.hpp"

namespace tachyon::loadgen {
namespace {

std::string percentile_label(double percentile) {
  char text[32];
  std::snprintf(text, sizeof text, "p%g", percentile);
  return text;
}

void append_line(std::string& out, const char* format, auto... values) {
  char line[256];
  std::snprintf(line, sizeof line, format, values...);
  out += line;
}

void append_latency_table(std::string& out, const char* title, const Histogram& histogram) {
  append_line(out, "  %s (%llu samples)\n", title, static_cast<unsigned long long>(histogram.total_count()));
  std::string row;
  for (double percentile : reported_percentiles()) {
    append_line(row, "    %-7s %10s\n", percentile_label(percentile).c_str(),
                format_microseconds(static_cast<double>(histogram.value_at_percentile(percentile))).c_str());
  }
  out += row;
  append_line(out, "    %-7s %10s\n", "max", format_microseconds(static_cast<double>(histogram.max())).c_str());
  append_line(out, "    %-7s %10s  (stdev %s)\n", "mean", format_microseconds(histogram.mean()).c_str(),
              format_microseconds(histogram.standard_deviation()).c_str());
}

void write_latency(json::JsonWriter& writer, const Histogram& histogram) {
  writer.begin_object();
  writer.field("count", histogram.total_count());
  writer.field("min_us", histogram.min());
  writer.field("mean_us", histogram.mean());
  writer.field("stdev_us", histogram.standard_deviation());
  for (double percentile : reported_percentiles()) {
    writer.field(percentile_label(percentile) + "_us", histogram.value_at_percentile(percentile));
  }
  writer.field("max_us", histogram.max());
  writer.end_object();
}

std::vector<std::pair<int, std::uint64_t>> sorted_statuses(const EndpointStats& stats) {
  auto statuses = stats.status_counts;
  std::sort(statuses.begin(), statuses.end());
  return statuses;
}

void append_status_table(std::string& out, const RunResult& result) {
  const RunStats& stats = result.stats;
  out += "  per status\n";
  for (std::size_t status = 0; status < stats.status_counts.size(); ++status) {
    std::uint64_t count = stats.status_counts[status];
    if (count == 0) continue;
    auto histogram = stats.status_latency.find(static_cast<int>(status));
    double share =
        stats.completed > 0 ? 100.0 * static_cast<double>(count) / static_cast<double>(stats.completed) : 0.0;
    append_line(out, "    %-5zu %10llu responses %6.2f%%", status, static_cast<unsigned long long>(count), share);
    if (histogram != stats.status_latency.end()) {
      append_line(out, "  p50 %9s  p99 %9s  max %9s",
                  format_microseconds(static_cast<double>(histogram->second.value_at_percentile(50))).c_str(),
                  format_microseconds(static_cast<double>(histogram->second.value_at_percentile(99))).c_str(),
                  format_microseconds(static_cast<double>(histogram->second.max())).c_str());
    }
    out += '\n';
  }
}

}  // namespace

double requests_per_second(const RunResult& result) {
  return result.elapsed_seconds > 0 ? static_cast<double>(result.stats.completed) / result.elapsed_seconds : 0.0;
}

double error_rate(const RunResult& result) {
  const RunStats& stats = result.stats;
  std::uint64_t failed = stats.error_total() + stats.status_errors();
  std::uint64_t attempted = stats.completed + stats.error_total();
  return attempted == 0 ? 0.0 : static_cast<double>(failed) / static_cast<double>(attempted);
}

std::string format_microseconds(double microseconds) {
  char text[32];
  if (microseconds < 1000) {
    std::snprintf(text, sizeof text, "%.0fus", microseconds);
  } else if (microseconds < 1'000'000) {
    std::snprintf(text, sizeof text, "%.2fms", microseconds / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%.2fs", microseconds / 1e6);
  }
  return text;
}

std::string format_summary(const RunResult& result, const RunDescription& description) {
  const RunStats& stats = result.stats;
  const LoadOptions& options = *description.options;
  std::string out;
  append_line(out, "%s: %.1fs, %d threads, %d connections, %s model\n", description.url.c_str(), result.elapsed_seconds,
              result.threads, options.total_connections(), result.open_model ? "open" : "closed");
  append_line(out, "  arrivals  %s\n",
              options.uses_kernel_timestamps() ? "kernel receive timestamps (the generator's wake-up is not counted)"
                                               : "generator clock after each read");
  append_line(out, "  requests  %llu completed, %.1f req/s, %.2f MB read\n",
              static_cast<unsigned long long>(stats.completed), requests_per_second(result),
              static_cast<double>(stats.bytes_read) / 1e6);
  append_line(out, "  errors    %llu (%.3f%%)",
              static_cast<unsigned long long>(stats.error_total() + stats.status_errors()), error_rate(result) * 100.0);
  for (std::size_t kind = 0; kind < error_kind_count; ++kind) {
    if (stats.errors[kind] == 0) continue;
    append_line(out, "  %s=%llu", error_kind_name(static_cast<ErrorKind>(kind)),
                static_cast<unsigned long long>(stats.errors[kind]));
  }
  out += '\n';
  append_status_table(out, result);
  if (result.open_model) {
    append_line(out, "  schedule  %llu sent, %llu late (>%lldus after due), %llu dropped\n",
                static_cast<unsigned long long>(stats.sent), static_cast<unsigned long long>(stats.late_sends),
                static_cast<long long>(options.late_after.count()),
                static_cast<unsigned long long>(stats.errors[static_cast<std::size_t>(ErrorKind::dropped)]));
    append_latency_table(out, "latency from intended send time (coordinated omission corrected)", stats.latency);
    append_latency_table(out, "latency from actual send time (uncorrected)", stats.service);
  } else {
    append_latency_table(out, "latency", stats.latency);
  }
  if (!options.groups.empty()) {
    out += "  per scenario\n";
    std::vector<LoadGroup> groups = options.effective_groups();
    for (std::size_t index = 0; index < stats.groups.size() && index < groups.size(); ++index) {
      const EndpointStats& group = stats.groups[index];
      char model[48];
      if (groups[index].open_model()) {
        std::snprintf(model, sizeof model, "open %.0f/s", groups[index].rate);
      } else {
        std::snprintf(model, sizeof model, "closed");
      }
      append_line(out, "    %-24s %3d conn %-13s %8llu requests %6.1f req/s %6llu errors  p50 %9s  p99 %9s\n",
                  groups[index].name.c_str(), groups[index].connections, model,
                  static_cast<unsigned long long>(group.completed),
                  result.elapsed_seconds > 0 ? static_cast<double>(group.completed) / result.elapsed_seconds : 0.0,
                  static_cast<unsigned long long>(group.errors),
                  format_microseconds(static_cast<double>(group.latency.value_at_percentile(50))).c_str(),
                  format_microseconds(static_cast<double>(group.latency.value_at_percentile(99))).c_str());
    }
  }
  if (!stats.endpoints.empty()) {
    out += "  per endpoint\n";
    for (std::size_t index = 0; index < stats.endpoints.size(); ++index) {
      const EndpointStats& endpoint = stats.endpoints[index];
      std::string name = index < result.endpoint_names.size() ? result.endpoint_names[index] : std::to_string(index);
      append_line(out, "    %-24s %8llu requests %6llu errors  p50 %9s  p99 %9s  max %9s  status", name.c_str(),
                  static_cast<unsigned long long>(endpoint.completed), static_cast<unsigned long long>(endpoint.errors),
                  format_microseconds(static_cast<double>(endpoint.latency.value_at_percentile(50))).c_str(),
                  format_microseconds(static_cast<double>(endpoint.latency.value_at_percentile(99))).c_str(),
                  format_microseconds(static_cast<double>(endpoint.latency.max())).c_str());
      for (const auto& [status, count] : sorted_statuses(endpoint)) {
        append_line(out, " %d=%llu", status, static_cast<unsigned long long>(count));
      }
      out += '\n';
    }
  }
  append_line(
      out, "  generator %.2f CPU-seconds (%.0f req per CPU-second), threads busy", result.generator_cpu_seconds,
      result.generator_cpu_seconds > 0 ? static_cast<double>(stats.completed) / result.generator_cpu_seconds : 0.0);
  for (double seconds : result.thread_cpu_seconds) {
    append_line(out, " %.0f%%", result.elapsed_seconds > 0 ? 100.0 * seconds / result.elapsed_seconds : 0.0);
  }
  out += '\n';
  return out;
}

std::optional<std::string> saturation_warning(const RunResult& result, unsigned cores, double limit) {
  if (result.elapsed_seconds <= 0) return std::nullopt;
  std::string busy;
  for (std::size_t thread = 0; thread < result.thread_cpu_seconds.size(); ++thread) {
    double share = result.thread_cpu_seconds[thread] / result.elapsed_seconds;
    if (share < limit) continue;
    char text[48];
    std::snprintf(text, sizeof text, "%s%zu (%.0f%%)", busy.empty() ? "" : ", ", thread, share * 100.0);
    busy += text;
  }
  double total = result.generator_cpu_seconds / (result.elapsed_seconds * std::max(1u, cores));
  char text[320];
  if (!busy.empty()) {
    std::snprintf(text, sizeof text,
                  "the generator saturated its own thread(s) %s: requests waited for it, so "
                  "figures may be its limit, not the server's (try more --threads)",
                  busy.c_str());
    return std::string(text);
  }
  if (total >= limit) {
    std::snprintf(text, sizeof text,
                  "the generator used %.0f%% of the machine's %u core(s): figures may be its "
                  "limit, not the server's",
                  total * 100.0, cores);
    return std::string(text);
  }
  return std::nullopt;
}

std::string summary_json(const RunResult& result, const RunDescription& description) {
  const RunStats& stats = result.stats;
  const LoadOptions& options = *description.options;
  std::string out;
  json::JsonWriter writer(out);
  writer.begin_object();
  writer.field("url", description.url);
  writer.field("model", result.open_model ? "open" : "closed");
  writer.field("threads", result.threads);
  writer.field("connections", options.total_connections());
  writer.field("pipeline", options.pipeline);
  writer.field("arrival_times", options.uses_kernel_timestamps() ? "kernel" : "user");
  if (result.open_model) writer.field("target_rate", options.rate);
  writer.field("duration_s", result.elapsed_seconds);
  writer.field("requests", stats.completed);
  writer.field("sent", stats.sent);
  writer.field("rps", requests_per_second(result));
  writer.field("bytes_read", stats.bytes_read);
  writer.field("errors", stats.error_total() + stats.status_errors());
  writer.field("error_rate", error_rate(result));
  writer.key("errors_by_kind");
  writer.begin_object();
  for (std::size_t kind = 0; kind < error_kind_count; ++kind) {
    writer.field(error_kind_name(static_cast<ErrorKind>(kind)), stats.errors[kind]);
  }
  writer.field("status_4xx_5xx", stats.status_errors());
  writer.end_object();
  writer.key("status_codes");
  writer.begin_object();
  for (std::size_t status = 0; status < stats.status_counts.size(); ++status) {
    if (stats.status_counts[status] > 0) writer.field(std::to_string(status), stats.status_counts[status]);
  }
  writer.end_object();
  writer.key("statuses");
  writer.begin_array();
  for (std::size_t status = 0; status < stats.status_counts.size(); ++status) {
    if (stats.status_counts[status] == 0) continue;
    writer.begin_object();
    writer.field("status", static_cast<std::uint64_t>(status));
    writer.field("requests", stats.status_counts[status]);
    auto histogram = stats.status_latency.find(static_cast<int>(status));
    if (histogram != stats.status_latency.end()) {
      writer.key("latency");
      write_latency(writer, histogram->second);
    }
    writer.end_object();
  }
  writer.end_array();
  writer.field("late_sends", stats.late_sends);
  writer.field("dropped", stats.errors[static_cast<std::size_t>(ErrorKind::dropped)]);
  writer.key("latency");
  write_latency(writer, stats.latency);
  writer.key("latency_uncorrected");
  write_latency(writer, stats.service);
  if (!options.groups.empty()) {
    std::vector<LoadGroup> groups = options.effective_groups();
    writer.key("scenarios");
    writer.begin_array();
    for (std::size_t index = 0; index < stats.groups.size() && index < groups.size(); ++index) {
      writer.begin_object();
      writer.field("name", groups[index].name);
      writer.field("connections", groups[index].connections);
      writer.field("model", groups[index].open_model() ? "open" : "closed");
      if (groups[index].open_model()) writer.field("target_rate", groups[index].rate);
      writer.field("requests", stats.groups[index].completed);
      writer.field("rps", result.elapsed_seconds > 0
                              ? static_cast<double>(stats.groups[index].completed) / result.elapsed_seconds
                              : 0.0);
      writer.field("errors", stats.groups[index].errors);
      writer.key("latency");
      write_latency(writer, stats.groups[index].latency);
      writer.end_object();
    }
    writer.end_array();
  }
  if (!stats.endpoints.empty()) {
    writer.key("endpoints");
    writer.begin_array();
    for (std::size_t index = 0; index < stats.endpoints.size(); ++index) {
      writer.begin_object();
      writer.field("name", index < result.endpoint_names.size() ? result.endpoint_names[index] : std::to_string(index));
      writer.field("requests", stats.endpoints[index].completed);
      writer.field("errors", stats.endpoints[index].errors);
      writer.key("status_codes");
      writer.begin_object();
      for (const auto& [status, count] : sorted_statuses(stats.endpoints[index]))
        writer.field(std::to_string(status), count);
      writer.end_object();
      writer.key("latency");
      write_latency(writer, stats.endpoints[index].latency);
      writer.end_object();
    }
    writer.end_array();
  }
  writer.field("generator_cpu_s", result.generator_cpu_seconds);
  writer.key("generator_thread_cpu_s");
  writer.begin_array();
  for (double seconds : result.thread_cpu_seconds) writer.value(seconds);
  writer.end_array();
  writer.end_object();
  out += '\n';
  return out;
}

}  // namespace tachyon::loadgen
