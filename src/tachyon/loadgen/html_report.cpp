#include "tachyon/loadgen/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tachyon::loadgen {
namespace {

constexpr double width = 720;
constexpr double height = 240;
constexpr double margin = 50;

struct Line {
  std::string label;
  std::string color;
  std::vector<std::pair<double, double>> points;
};

std::string escape_html(const std::string& text) {
  std::string out;
  for (char character : text) {
    switch (character) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += character;
    }
  }
  return out;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// A line chart with its axes; `x_labels` maps an x value to its tick text.
std::string chart(const std::string& title, const std::vector<Line>& lines, const std::string& y_unit,
                  const std::vector<std::pair<double, std::string>>& x_ticks) {
  double x_max = 1e-9;
  double y_max = 1e-9;
  for (const Line& line : lines) {
    for (auto [x, y] : line.points) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
    }
  }
  y_max *= 1.1;
  auto to_x = [&](double x) { return margin + x / x_max * (width - 2 * margin); };
  auto to_y = [&](double y) { return height - margin + -y / y_max * (height - 2 * margin); };
  std::string svg = "<h2>" + escape_html(title) + "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    number(width) + "\" height=\"" + number(height) + "\" font-size=\"11\">\n";
  svg += "<line x1=\"" + number(margin) + "\" y1=\"" + number(height - margin) + "\" x2=\"" + number(width - margin) +
         "\" y2=\"" + number(height - margin) + "\" stroke=\"#888\"/>\n";
  svg += "<line x1=\"" + number(margin) + "\" y1=\"" + number(margin) + "\" x2=\"" + number(margin) + "\" y2=\"" +
         number(height - margin) + "\" stroke=\"#888\"/>\n";
  for (int tick = 0; tick <= 4; ++tick) {
    double value = y_max * tick / 4;
    char text[48];
    std::snprintf(text, sizeof text, "%.3g", value);
    svg += "<text x=\"4\" y=\"" + number(to_y(value) + 4) + "\">" + text + "</text>\n";
  }
  svg += "<text x=\"4\" y=\"" + number(margin - 12) + "\">" + escape_html(y_unit) + "</text>\n";
  for (const auto& [x, label] : x_ticks) {
    svg += "<text x=\"" + number(to_x(x) - 10) + "\" y=\"" + number(height - margin + 16) + "\">" + escape_html(label) +
           "</text>\n";
  }
  double legend_y = margin - 12;
  for (const Line& line : lines) {
    std::string points;
    for (auto [x, y] : line.points) points += number(to_x(x)) + "," + number(to_y(y)) + " ";
    svg += "<polyline fill=\"none\" stroke=\"" + line.color + "\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
    svg += "<text x=\"" + number(width - margin - 260) + "\" y=\"" + number(legend_y) + "\" fill=\"" + line.color +
           "\">" + escape_html(line.label) + "</text>\n";
    legend_y += 14;
  }
  return svg + "</svg>\n";
}

// The percentile spectrum on HdrHistogram's axis: x = log10(1 / (1 - p)), so 90 %, 99 %, 99.9 %...
// are evenly spaced.
Line spectrum(const std::string& label, const std::string& color, const Histogram& histogram) {
  Line line{label, color, {}};
  for (double nines = 0; nines <= 5.0001; nines += 0.05) {
    double percentile = 100.0 * (1.0 - std::pow(10.0, -nines));
    line.points.emplace_back(nines, static_cast<double>(histogram.value_at_percentile(percentile)) / 1000.0);
  }
  return line;
}

std::string latency_cells(const Histogram& histogram) {
  std::string cells;
  for (double percentile : {50.0, 90.0, 99.0, 99.9}) {
    cells += "<td>" + format_microseconds(static_cast<double>(histogram.value_at_percentile(percentile))) + "</td>";
  }
  return cells + "<td>" + format_microseconds(static_cast<double>(histogram.max())) + "</td>";
}

const char* latency_headers = "<th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th>";

// The per-scenario, per-endpoint and per-status tables (the summary above has them as text too).
std::string tables(const RunResult& result, const RunDescription& description) {
  const RunStats& stats = result.stats;
  std::string html;
  if (!description.options->groups.empty()) {
    std::vector<LoadGroup> groups = description.options->effective_groups();
    html +=
        "<h2>Per scenario</h2>\n<table><tr><th>scenario</th><th>connections</th><th>model</th><th>requests</th>"
        "<th>req/s</th><th>errors</th>" +
        std::string(latency_headers) + "</tr>\n";
    for (std::size_t index = 0; index < stats.groups.size() && index < groups.size(); ++index) {
      const EndpointStats& group = stats.groups[index];
      std::string model = groups[index].open_model() ? "open " + number(groups[index].rate) + "/s" : "closed";
      html += "<tr><td>" + escape_html(groups[index].name) + "</td><td>" + std::to_string(groups[index].connections) +
              "</td><td>" + model + "</td><td>" + std::to_string(group.completed) + "</td><td>" +
              number(result.elapsed_seconds > 0 ? static_cast<double>(group.completed) / result.elapsed_seconds : 0) +
              "</td><td>" + std::to_string(group.errors) + "</td>" + latency_cells(group.latency) + "</tr>\n";
    }
    html += "</table>\n";
  }
  if (!stats.endpoints.empty()) {
    html += "<h2>Per endpoint</h2>\n<table><tr><th>endpoint</th><th>requests</th><th>errors</th><th>statuses</th>" +
            std::string(latency_headers) + "</tr>\n";
    for (std::size_t index = 0; index < stats.endpoints.size(); ++index) {
      const EndpointStats& endpoint = stats.endpoints[index];
      auto statuses = endpoint.status_counts;
      std::sort(statuses.begin(), statuses.end());
      std::string status_text;
      for (const auto& [status, count] : statuses)
        status_text += std::to_string(status) + ": " + std::to_string(count) + " ";
      std::string name = index < result.endpoint_names.size() ? result.endpoint_names[index] : std::to_string(index);
      html += "<tr><td>" + escape_html(name) + "</td><td>" + std::to_string(endpoint.completed) + "</td><td>" +
              std::to_string(endpoint.errors) + "</td><td>" + status_text + "</td>" + latency_cells(endpoint.latency) +
              "</tr>\n";
    }
    html += "</table>\n";
  }
  html += "<h2>Per status</h2>\n<table><tr><th>status</th><th>responses</th><th>share</th>" +
          std::string(latency_headers) + "</tr>\n";
  for (const auto& [status, histogram] : stats.status_latency) {
    std::uint64_t count = stats.status_counts[static_cast<std::size_t>(status)];
    double share = stats.completed > 0 ? 100.0 * static_cast<double>(count) / static_cast<double>(stats.completed) : 0;
    html += "<tr><td>" + std::to_string(status) + "</td><td>" + std::to_string(count) + "</td><td>" + number(share) +
            " %</td>" + latency_cells(histogram) + "</tr>\n";
  }
  return html + "</table>\n";
}

}  // namespace

std::string html_report(const RunResult& result, const RunDescription& description,
                        const std::vector<SecondSample>& series) {
  std::string page =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>tachyon bench " + escape_html(description.url) +
      "</title>\n<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style>"
      "</head><body>\n<h1>tachyon bench</h1>\n<pre>" +
      escape_html(format_summary(result, description)) + "</pre>\n" + tables(result, description);
  std::vector<std::pair<double, std::string>> time_ticks;
  double last_second = series.empty() ? 1 : series.back().elapsed_seconds;
  for (int tick = 0; tick <= 4; ++tick)
    time_ticks.emplace_back(last_second * tick / 4, number(last_second * tick / 4) + "s");
  Line throughput{"requests/s", "#1f77b4", {}};
  Line p99{"p99 so far (ms)", "#d62728", {}};
  Line server_cpu{"server CPU (cores)", "#2ca02c", {}};
  for (const SecondSample& sample : series) {
    throughput.points.emplace_back(sample.elapsed_seconds, sample.requests_per_second);
    p99.points.emplace_back(sample.elapsed_seconds, static_cast<double>(sample.p99_so_far_us) / 1000.0);
    if (sample.server_cpu >= 0) server_cpu.points.emplace_back(sample.elapsed_seconds, sample.server_cpu);
  }
  page += chart("Throughput over time", {throughput}, "req/s", time_ticks);
  page += chart("Latency over time", {p99}, "ms", time_ticks);
  if (!server_cpu.points.empty()) page += chart("Server CPU over time", {server_cpu}, "cores", time_ticks);
  std::vector<Line> spectra = {
      spectrum(result.open_model ? "from intended send time" : "latency", "#d62728", result.stats.latency)};
  if (result.open_model)
    spectra.push_back(spectrum("from actual send time (uncorrected)", "#1f77b4", result.stats.service));
  page += chart("Latency by percentile", spectra, "ms",
                {{0, "0%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}});
  return page + "</body></html>\n";
}

}  // namespace tachyon::loadgen
