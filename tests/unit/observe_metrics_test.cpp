// The metrics registry and its exposition: shard merging, histogram invariants, escaping, formats.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tachyon/observe/exposition.hpp"
#include "tachyon/observe/metrics.hpp"
#include "tachyon/observe/spans.hpp"

namespace tachyon::observe {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// The metric name of a sample line ("name{...} value" or "name value").
std::string sample_name(const std::string& line) {
  return line.substr(0, line.find_first_of("{ "));
}
// Everything before the value: name plus labels, which identifies a series.
std::string series_key(const std::string& line) {
  std::size_t close = line.find('}');
  return close != std::string::npos ? line.substr(0, close + 1) : line.substr(0, line.find(' '));
}
double sample_value(const std::string& line) {
  std::size_t start = line.find(' ', line.find('}') == std::string::npos ? 0 : line.find('}'));
  return std::strtod(line.c_str() + start + 1, nullptr);
}

TEST(MetricsRegistry, MergesShardsWrittenByManyThreads) {
  Registry registry;
  Counter counter = registry.counter("jobs_total", "Jobs.");
  Histogram histogram = registry.histogram_family("job_seconds", "Job time.", {}, {0.1, 1}).labels({});
  std::vector<std::thread> threads;
  for (int thread = 0; thread < 4; ++thread) {
    threads.emplace_back([&] {
      for (int index = 0; index < 10'000; ++index) {
        counter.add();
        histogram.observe(0.5);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  counter.add(2);  // and this thread's own shard
  auto families = registry.snapshot();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].series.at(0).value, 40'002);
  const SeriesSnapshot& series = families[1].series.at(0);
  EXPECT_EQ(series.count, 40'000u);
  EXPECT_EQ(series.bucket_counts, (std::vector<std::uint64_t>{0, 40'000, 40'000}));
  EXPECT_DOUBLE_EQ(series.sum, 20'000);
}

TEST(MetricsRegistry, CountsOfExitedThreadsSurviveAndShardsAreReused) {
  Registry registry;
  Counter counter = registry.counter("events_total", "Events.");
  for (int round = 0; round < 20; ++round) {
    std::thread([&] { counter.add(5); }).join();
  }
  EXPECT_EQ(registry.snapshot().at(0).series.at(0).value, 100);
}

TEST(MetricsRegistry, SameLabelsGiveTheSameSeries) {
  Registry registry;
  auto& family = registry.counter_family("hits_total", "Hits.", {"tier"});
  family.labels({"memory"}).add();
  family.labels({"memory"}).add();
  family.labels({"redis"}).add(3);
  auto snapshot = registry.snapshot().at(0);
  ASSERT_EQ(snapshot.series.size(), 2u);
  EXPECT_EQ(snapshot.series[0].label_values, std::vector<std::string>{"memory"});
  EXPECT_EQ(snapshot.series[0].value, 2);
  EXPECT_EQ(snapshot.series[1].value, 3);
}

TEST(MetricsRegistry, LabelSetsBeyondTheBoundShareAnOverflowSeries) {
  Registry registry;
  auto& family = registry.counter_family("paths_total", "Paths.", {"path"}, 3);
  for (int index = 0; index < 10; ++index) family.labels({"/p" + std::to_string(index)}).add();
  auto snapshot = registry.snapshot().at(0);
  ASSERT_EQ(snapshot.series.size(), 4u);
  EXPECT_EQ(snapshot.series[3].label_values, std::vector<std::string>{"_overflow"});
  EXPECT_EQ(snapshot.series[3].value, 7);
}

TEST(MetricsRegistry, RejectsInvalidNamesAndClashingShapes) {
  Registry registry;
  EXPECT_THROW(registry.counter("requests", "no _total suffix"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("9lives", "starts with a digit"), std::invalid_argument);
  EXPECT_THROW(registry.counter_family("x_total", "reserved label", {"le"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram_family("h", "unsorted", {}, {1, 0.5}), std::invalid_argument);
  registry.gauge("depth", "Depth.");
  EXPECT_THROW(registry.counter_family("depth", "other type"), std::invalid_argument);
  EXPECT_THROW(registry.counter_family("x_total", "labels", {"a"}).labels({"1", "2"}), std::invalid_argument);
}

TEST(MetricsExposition, HistogramBucketsAreCumulativeAndEndWithInf) {
  Registry registry;
  auto& family = registry.histogram_family("latency_seconds", "Latency.", {"route"}, default_duration_buckets());
  Histogram fast = family.labels({"/a"});
  Histogram slow = family.labels({"/b"});
  for (double value : {0.001, 0.003, 0.02, 0.2, 3.0, 20.0}) fast.observe(value);
  slow.observe(0.7);
  std::string text = render_metrics(registry.snapshot(), ExpositionFormat::prometheus_text);
  std::map<std::string, std::vector<std::string>> buckets;  // route -> bucket lines in order
  for (const auto& line : lines_of(text)) {
    if (sample_name(line) == "latency_seconds_bucket") buckets[line.substr(line.find("route=") + 7, 2)].push_back(line);
  }
  ASSERT_EQ(buckets.size(), 2u);
  for (const auto& [route, lines] : buckets) {
    ASSERT_EQ(lines.size(), default_duration_buckets().size() + 1) << route;
    EXPECT_NE(lines.back().find("le=\"+Inf\""), std::string::npos) << route;
    for (std::size_t index = 1; index < lines.size(); ++index) {
      EXPECT_LE(sample_value(lines[index - 1]), sample_value(lines[index])) << lines[index];
    }
  }
  EXPECT_EQ(sample_value(buckets["/a"].back()), 6);
  EXPECT_NE(text.find("latency_seconds_count{route=\"/a\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"0.005\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{route=\"/a\",le=\"10\"} 5\n"), std::string::npos);
}

TEST(MetricsExposition, FamiliesAreContiguousWithoutDuplicateSeries) {
  Registry registry;
  auto& requests = registry.counter_family("requests_total", "Requests.", {"method"});
  auto& sizes = registry.summary_family("size_bytes", "Sizes.", {"method"});
  auto& depth = registry.gauge_family("depth", "Depth.", {"queue"});
  for (const char* method : {"GET", "POST", "GET"}) {
    requests.labels({method}).add();
    sizes.labels({method}).observe(10);
    depth.labels({"q"}).add(1);
  }
  registry.add_collector([](std::vector<FamilySnapshot>& out) {
    out.push_back(FamilySnapshot{.name = "temperature", .help = "Now.", .type = MetricType::gauge, .series = {{}}});
  });
  std::string text = render_metrics(registry.snapshot(), ExpositionFormat::prometheus_text);
  std::set<std::string> seen_series;
  std::set<std::string> finished_families;
  std::string current_family;
  for (const auto& line : lines_of(text)) {
    if (line.starts_with("# TYPE ")) {
      std::string family = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(finished_families.insert(family).second) << "family repeated: " << family;
      current_family = family;
      continue;
    }
    if (line.starts_with("#")) continue;
    EXPECT_TRUE(sample_name(line).starts_with(current_family)) << line << " outside its family " << current_family;
    EXPECT_TRUE(seen_series.insert(series_key(line)).second) << "duplicate series: " << line;
  }
  EXPECT_EQ(finished_families.size(), 4u);
  EXPECT_NE(text.find("requests_total{method=\"GET\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("size_bytes_count{method=\"POST\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("size_bytes_sum{method=\"GET\"} 20\n"), std::string::npos);
}

TEST(MetricsExposition, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry.counter_family("odd_total", "Back\\slash and\nnewline \"quoted\".", {"value"}).labels({"a\"b\\c\nd"}).add();
  std::string text = render_metrics(registry.snapshot(), ExpositionFormat::prometheus_text);
  EXPECT_NE(text.find(R"(odd_total{value="a\"b\\c\nd"} 1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(# HELP odd_total Back\\slash and\nnewline "quoted".)"), std::string::npos) << text;
  std::string open = render_metrics(registry.snapshot(), ExpositionFormat::openmetrics);
  EXPECT_NE(open.find(R"(# HELP odd Back\\slash and\nnewline \"quoted\".)"), std::string::npos) << open;
}

TEST(MetricsExposition, OpenMetricsNamesFamiliesByTypeAndEndsWithEof) {
  Registry registry;
  registry.counter("served_total", "Served.").add(3);
  registry.add_collector([](std::vector<FamilySnapshot>& out) {
    out.push_back(FamilySnapshot{.name = "app_build_info",
                                 .help = "Build.",
                                 .type = MetricType::info,
                                 .label_names = {"version"},
                                 .series = {{.label_values = {"1.2"}}}});
  });
  std::string text = render_metrics(registry.snapshot(), ExpositionFormat::openmetrics);
  EXPECT_NE(text.find("# TYPE served counter\nserved_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE app_build info\napp_build_info{version=\"1.2\"} 1\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("# EOF\n"));
  std::string plain = render_metrics(registry.snapshot(), ExpositionFormat::prometheus_text);
  EXPECT_NE(plain.find("# TYPE served_total counter\nserved_total 3\n"), std::string::npos) << plain;
  EXPECT_NE(plain.find("# TYPE app_build_info gauge\n"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("# EOF"), std::string::npos);
}

TEST(MetricsExposition, ExemplarsCarryTheLatestTraceIdOnTheirBucket) {
  Registry registry;
  Histogram histogram = registry.histogram_family("work_seconds", "Work.", {}, {0.1, 1}, true).labels({});
  histogram.observe(0.05, TraceId{.high = 0x0123456789abcdef, .low = 1});
  std::thread([&] { histogram.observe(0.5, TraceId{.high = 2, .low = 3}); }).join();
  histogram.observe(0.07, TraceId{.high = 4, .low = 5});
  histogram.observe(0.08);  // no trace: keeps the last exemplar
  std::string text = render_metrics(registry.snapshot(), ExpositionFormat::openmetrics);
  EXPECT_NE(text.find("work_seconds_bucket{le=\"0.1\"} 3 # {trace_id=\"00000000000000040000000000000005\"} 0.07 "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("work_seconds_bucket{le=\"1\"} 4 # {trace_id=\"00000000000000020000000000000003\"} 0.5 "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("work_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  // Text 0.0.4 has no exemplars.
  EXPECT_EQ(render_metrics(registry.snapshot(), ExpositionFormat::prometheus_text).find('#' + std::string(" {")),
            std::string::npos);
}

TEST(MetricsExposition, NumbersRoundTripExactly) {
  for (double value : {0.1, 2.5, 1e-05, 123456789.123456789, 1.0 / 3, 5e-324, 1.7976931348623157e308}) {
    std::string text;
    append_number(text, value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
  std::string text;
  append_number(text, 0.1);
  text += ' ';
  append_number(text, INFINITY);
  text += ' ';
  append_number(text, -INFINITY);
  text += ' ';
  append_number(text, NAN);
  text += ' ';
  append_number(text, 10);
  EXPECT_EQ(text, "0.1 +Inf -Inf NaN 10");
}

TEST(MetricsExposition, NegotiatesFormat) {
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
            ExpositionFormat::openmetrics);
  EXPECT_EQ(negotiate_format("text/plain"), ExpositionFormat::prometheus_text);
  EXPECT_EQ(negotiate_format(""), ExpositionFormat::prometheus_text);
}

TEST(ObserveTraceparent, AcceptsOnlyValidW3CHeaders) {
  auto trace = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
  EXPECT_FALSE(parse_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));  // upper case
  EXPECT_FALSE(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));  // zero trace
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));  // zero parent
  EXPECT_FALSE(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));  // bad version
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"));   // short
  EXPECT_FALSE(parse_traceparent(""));
}

}  // namespace
}  // namespace tachyon::observe
