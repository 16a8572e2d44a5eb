// Vocabulary of the exposition parsers: what Parser::Next() returns, the
// metric types, the two formats and the parser's bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pharos::scrape::textparse {

// What Parser::Next() found.
enum class Entry : uint8_t {
  kEof,      // the body is done; nothing more follows
  kError,    // the body is invalid; Parser::Err() says what and where
  kSeries,   // a sample line: Series(), Value(), Timestamp(), Labels()...
  kType,     // "# TYPE": FamilyName(), Type()
  kHelp,     // "# HELP": FamilyName(), Help()
  kUnit,     // "# UNIT" (OpenMetrics only): FamilyName(), Unit()
  kComment,  // any other '#' line (Prometheus text format only): Comment()
};

// Metric family types. The text format's "untyped" is kUnknown, as in
// Prometheus.
enum class MetricType : uint8_t {
  kUnknown,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateset,
};

// Prometheus' name of a type ("unknown", "counter", "gaugehistogram", ...), as
// the metadata APIs report it.
constexpr std::string_view MetricTypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kGaugeHistogram: return "gaugehistogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return "info";
    case MetricType::kStateset: return "stateset";
    case MetricType::kUnknown: break;
  }
  return "unknown";
}

enum class Format : uint8_t {
  kPrometheusText,  // text/plain; version=0.0.4
  kOpenMetrics,     // application/openmetrics-text; version=1.0.0 (or 0.0.1)
};

// One label of a series: views into the body, or into a caller's scratch
// buffer for values that had escapes.
struct LabelView {
  std::string_view name;
  std::string_view value;
};

// Bounds beyond the body's own size.
struct ParserLimits {
  // Labels on one series line (or one exemplar); more is an error. Keeps a
  // pathological line from costing more memory than a few times its size.
  size_t max_labels_per_series = 4096;
};

}  // namespace pharos::scrape::textparse
