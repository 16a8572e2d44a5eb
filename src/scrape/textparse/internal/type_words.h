// The words a TYPE line may name, per format.
#pragma once

#include <array>
#include <string_view>

#include "scrape/textparse/entry.h"

namespace pharos::scrape::textparse::internal {

// False for a word the format does not know (the text format has "untyped"
// for unknown; OpenMetrics has "unknown" and its four extra types).
inline bool ParseTypeWord(std::string_view word, Format format, MetricType* out) {
  struct Word {
    std::string_view text;
    MetricType type;
    bool text_format;
    bool openmetrics;
  };
  static constexpr std::array<Word, 9> kWords = {{
      {"counter", MetricType::kCounter, true, true},
      {"gauge", MetricType::kGauge, true, true},
      {"histogram", MetricType::kHistogram, true, true},
      {"summary", MetricType::kSummary, true, true},
      {"untyped", MetricType::kUnknown, true, false},
      {"unknown", MetricType::kUnknown, false, true},
      {"gaugehistogram", MetricType::kGaugeHistogram, false, true},
      {"info", MetricType::kInfo, false, true},
      {"stateset", MetricType::kStateset, false, true},
  }};
  for (const Word& w : kWords) {
    if (w.text == word && (format == Format::kOpenMetrics ? w.openmetrics : w.text_format)) {
      *out = w.type;
      return true;
    }
  }
  return false;
}

}  // namespace pharos::scrape::textparse::internal
