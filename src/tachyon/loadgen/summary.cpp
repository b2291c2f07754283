#include "tachyon/loadgen/summary.hpp"

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
              result.threads, options.connections, result.open_model ? "open" : "closed");
  append_line(out, "  requests  %llu completed, %.1f req/s, %.2f MB read\n",
              static_cast<unsigned long long>(stats.completed), requests_per_second(result),
              static_cast<double>(stats.bytes_read) / 1e6);
  append_line(out, "  errors    %llu (%.3f%%)", static_cast<unsigned long long>(stats.error_total() + stats.status_errors()),
              error_rate(result) * 100.0);
  for (std::size_t kind = 0; kind < error_kind_count; ++kind) {
    if (stats.errors[kind] == 0) continue;
    append_line(out, "  %s=%llu", error_kind_name(static_cast<ErrorKind>(kind)),
                static_cast<unsigned long long>(stats.errors[kind]));
  }
  out += '\n';
  out += "  status   ";
  for (std::size_t status = 0; status < stats.status_counts.size(); ++status) {
    if (stats.status_counts[status] == 0) continue;
    append_line(out, " %zu=%llu", status, static_cast<unsigned long long>(stats.status_counts[status]));
  }
  out += '\n';
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
  if (options.scenario != nullptr) {
    out += "  per endpoint\n";
    for (std::size_t index = 0; index < stats.endpoints.size(); ++index) {
      const EndpointStats& endpoint = stats.endpoints[index];
      append_line(out, "    %-24s %8llu requests %6llu errors  p50 %9s  p99 %9s  max %9s\n",
                  options.scenario->endpoints[index].name.c_str(), static_cast<unsigned long long>(endpoint.completed),
                  static_cast<unsigned long long>(endpoint.errors),
                  format_microseconds(static_cast<double>(endpoint.latency.value_at_percentile(50))).c_str(),
                  format_microseconds(static_cast<double>(endpoint.latency.value_at_percentile(99))).c_str(),
                  format_microseconds(static_cast<double>(endpoint.latency.max())).c_str());
    }
  }
  append_line(out, "  generator %.2f CPU-seconds (%.0f req per CPU-second)\n", result.generator_cpu_seconds,
              result.generator_cpu_seconds > 0 ? static_cast<double>(stats.completed) / result.generator_cpu_seconds : 0.0);
  return out;
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
  writer.field("connections", options.connections);
  writer.field("pipeline", options.pipeline);
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
  writer.field("late_sends", stats.late_sends);
  writer.field("dropped", stats.errors[static_cast<std::size_t>(ErrorKind::dropped)]);
  writer.key("latency");
  write_latency(writer, stats.latency);
  writer.key("latency_uncorrected");
  write_latency(writer, stats.service);
  if (options.scenario != nullptr) {
    writer.key("endpoints");
    writer.begin_array();
    for (std::size_t index = 0; index < stats.endpoints.size(); ++index) {
      writer.begin_object();
      writer.field("name", options.scenario->endpoints[index].name);
      writer.field("requests", stats.endpoints[index].completed);
      writer.field("errors", stats.endpoints[index].errors);
      writer.key("latency");
      write_latency(writer, stats.endpoints[index].latency);
      writer.end_object();
    }
    writer.end_array();
  }
  writer.field("generator_cpu_s", result.generator_cpu_seconds);
  writer.end_object();
  out += '\n';
  return out;
}

}  // namespace tachyon::loadgen
