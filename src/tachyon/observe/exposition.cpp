#include "tachyon/observe/exposition.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tachyon::observe {

namespace {

bool contains_ignoring_case(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return false;
  for (std::size_t start = 0; start + needle.size() <= text.size(); ++start) {
    bool same = true;
    for (std::size_t index = 0; index < needle.size() && same; ++index) {
      char left = text[start + index];
      if (left >= 'A' && left <= 'Z') left = static_cast<char>(left - 'A' + 'a');
      same = left == needle[index];
    }
    if (same) return true;
  }
  return false;
}

// Label values escape backslash, double quote and newline (both formats); HELP escapes backslash and
// newline (text 0.0.4) and also double quote (OpenMetrics).
void append_escaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char character : text) {
    switch (character) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        if (escape_quote) {
          out += "\\\"";
          break;
        }
        [[fallthrough]];
      default:
        out += character;
    }
  }
}

void append_integer(std::string& out, std::uint64_t value) {
  char text[24];
  auto end = std::to_chars(text, text + sizeof text, value).ptr;
  out.append(text, end);
}

struct Label {
  std::string_view name;
  std::string_view value;
};

void append_labels(std::string& out, const FamilySnapshot& family, const SeriesSnapshot& series,
                   const Label* extra = nullptr) {
  if (family.label_names.empty() && extra == nullptr) return;
  out += '{';
  bool first = true;
  for (std::size_t index = 0; index < family.label_names.size(); ++index) {
    if (!first) out += ',';
    first = false;
    out += family.label_names[index];
    out += "=\"";
    append_escaped(out, series.label_values[index], true);
    out += '"';
  }
  if (extra != nullptr) {
    if (!first) out += ',';
    out += extra->name;
    out += "=\"";
    out += extra->value;
    out += '"';
  }
  out += '}';
}

std::string_view type_name(MetricType type, ExpositionFormat format) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
    case MetricType::summary:
      return "summary";
    case MetricType::info:
      return format == ExpositionFormat::openmetrics ? "info" : "gauge";
  }
  return "untyped";
}

// OpenMetrics names a family without the sample suffix its type implies (_total, _info).
std::string_view family_name(const FamilySnapshot& family, ExpositionFormat format) {
  std::string_view name = family.name;
  if (format != ExpositionFormat::openmetrics) return name;
  if (family.type == MetricType::counter && name.ends_with("_total")) name.remove_suffix(6);
  if (family.type == MetricType::info && name.ends_with("_info")) name.remove_suffix(5);
  return name;
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix, const FamilySnapshot& family,
                   const SeriesSnapshot& series, double value, const Label* extra = nullptr) {
  out += name;
  out += suffix;
  append_labels(out, family, series, extra);
  out += ' ';
  append_number(out, value);
  out += '\n';
}

void append_histogram(std::string& out, std::string_view name, const FamilySnapshot& family,
                      const SeriesSnapshot& series, ExpositionFormat format) {
  for (std::size_t bucket = 0; bucket < series.bucket_counts.size(); ++bucket) {
    std::string bound;
    append_number(bound, bucket < family.bucket_bounds.size() ? family.bucket_bounds[bucket] : INFINITY);
    Label le{"le", bound};
    out += name;
    out += "_bucket";
    append_labels(out, family, series, &le);
    out += ' ';
    append_integer(out, series.bucket_counts[bucket]);
    if (format == ExpositionFormat::openmetrics && bucket < series.exemplars.size() && series.exemplars[bucket]) {
      const Exemplar& exemplar = *series.exemplars[bucket];
      out += " # {trace_id=\"";
      out += exemplar.trace.hex();
      out += "\"} ";
      append_number(out, exemplar.value);
      out += ' ';
      append_number(out, exemplar.timestamp);
    }
    out += '\n';
  }
  append_sample(out, name, "_sum", family, series, series.sum);
  out += name;
  out += "_count";
  append_labels(out, family, series);
  out += ' ';
  append_integer(out, series.count);
  out += '\n';
}

void append_family(std::string& out, const FamilySnapshot& family, ExpositionFormat format) {
  std::string_view name = family_name(family, format);
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, family.help, format == ExpositionFormat::openmetrics);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type_name(family.type, format);
  out += '\n';
  for (const SeriesSnapshot& series : family.series) {
    switch (family.type) {
      case MetricType::histogram:
        append_histogram(out, name, family, series, format);
        break;
      case MetricType::summary:
        append_sample(out, name, "_sum", family, series, series.sum);
        append_sample(out, name, "_count", family, series, static_cast<double>(series.count));
        break;
      case MetricType::counter:
        append_sample(out, name, format == ExpositionFormat::openmetrics ? "_total" : "", family, series, series.value);
        break;
      case MetricType::info:
        append_sample(out, name, format == ExpositionFormat::openmetrics ? "_info" : "", family, series, 1);
        break;
      case MetricType::gauge:
        append_sample(out, name, "", family, series, series.value);
        break;
    }
  }
}

}  // namespace

ExpositionFormat negotiate_format(std::string_view accept_header) {
  return contains_ignoring_case(accept_header, "application/openmetrics-text") ? ExpositionFormat::openmetrics
                                                                               : ExpositionFormat::prometheus_text;
}

void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char text[32];
    auto end = std::to_chars(text, text + sizeof text, value).ptr;
    out.append(text, end);
  }
}

std::string render_metrics(const std::vector<FamilySnapshot>& families, ExpositionFormat format) {
  std::string out;
  out.reserve(families.size() * 256);
  for (const FamilySnapshot& family : families) append_family(out, family, format);
  if (format == ExpositionFormat::openmetrics) out += "# EOF\n";
  return out;
}

}  // namespace tachyon::observe
