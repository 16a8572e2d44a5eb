// Parser: a streaming, zero-copy reader of one scrape body in the Prometheus
// text format 0.0.4 or OpenMetrics 1.0 text, in the spirit of Prometheus'
// textparse.Parser.
//
//   Parser p = Parser::ForContentType(response_content_type, body);
//   for (;;) {
//     switch (p.Next()) {
//       case Entry::kSeries:  use p.Series() (cache key), p.Value(),
//                             p.HasTimestamp()/p.Timestamp(); on a cache miss
//                             p.Labels(&labels); break;
//       case Entry::kType:    p.FamilyName(), p.Type(); break;
//       case Entry::kHelp:    p.FamilyName(), p.Help(&scratch); break;
//       case Entry::kUnit:    p.FamilyName(), p.Unit(); break;
//       case Entry::kComment: break;
//       case Entry::kEof:     done;
//       case Entry::kError:   fail the scrape with p.Err();
//     }
//   }
//
// Ownership: the body is not copied; it must outlive the parser, and every
// string_view returned points into it (or into a caller's scratch buffer)
// and stays valid as long as the body. Accessors of an entry are meaningful
// only after Next() returned that kind of entry, until the next Next().
//
// Cost: Next() does no heap allocation once its internal vectors have grown
// to the widest line; labels are unescaped and materialized only when asked.
// Work is linear in the body (a line whose label names are not in increasing
// order costs an extra sort of its names).
//
// Errors: after kError, Err() is an InvalidArgument status
// "line L, column C: <what was wrong>" (columns count bytes from 1) and Next()
// keeps returning kError. A partially read body must be discarded whole.
//
// Threading: a Parser is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/labels.h"
#include "scrape/textparse/entry.h"
#include "scrape/textparse/internal/state.h"

namespace pharos::scrape::textparse {

namespace internal {
class OpenMetricsStructure;
}

class Parser {
 public:
  Parser(Format format, std::string_view body, const ParserLimits& limits = {});
  // The format chosen by FormatForContentType (content_type.h).
  static Parser ForContentType(std::string_view content_type, std::string_view body,
                               const ParserLimits& limits = {});
  ~Parser();
  Parser(Parser&&) noexcept;
  Parser& operator=(Parser&&) noexcept;

  Format format() const { return format_; }

  // Reads the next entry.
  Entry Next();

  // Text format only (OpenMetrics ignores them): hooks that let a caller
  // skip the labels of series it has seen before. A series text is "known"
  // when the same bytes parsed without error before; its labels are then
  // neither scanned nor checked again and LabelsSkipped() is true
  // (NumLabels() is then 0; Labels() and LabelViews() parse them on demand,
  // LabelViews() in sorted order). The value and timestamp are always parsed.
  struct KnownSeries {
    // Asked first for every sample line: the length of a known series text
    // with labels that the body at [line, end) starts with, or 0. The text
    // must end with its '}' and hold no newline (so the line count stays
    // right); a prefix that ends in '}' and parsed before is the whole series
    // text of this line too. May be null.
    size_t (*prefix)(void* ctx, const char* line, const char* end) = nullptr;
    // Asked for a line with labels that `prefix` did not match, with the
    // series text (Series()) found by skimming the labels: whether it is
    // known. May be null.
    bool (*lookup)(void* ctx, std::string_view series) = nullptr;
    void* ctx = nullptr;
  };
  void SetKnownSeries(const KnownSeries& k) {
    s_.known_prefix = k.prefix;
    s_.known_series = k.lookup;
    s_.known_ctx = k.ctx;
  }
  // Only the lookup hook.
  void SetKnownSeries(bool (*fn)(void* ctx, std::string_view series), void* ctx) {
    SetKnownSeries(KnownSeries{nullptr, fn, ctx});
  }
  bool LabelsSkipped() const { return s_.labels_skipped; }
  // OK unless Next() returned kError.
  const absl::Status& Err() const { return s_.status; }
  // The line (from 1) on which the current entry starts.
  uint64_t Line() const { return s_.entry_line; }

  // --- kSeries ---
  // The metric name and label set exactly as written (e.g.
  // `up{job="a"}`): identical lines give identical bytes, so it is the key of
  // a scrape cache.
  std::string_view Series() const { return s_.series; }
  std::string_view MetricName() const;
  // NaN values come back as Prometheus' normal NaN, never as a staleness marker.
  double Value() const { return s_.value; }
  bool HasTimestamp() const { return s_.has_timestamp; }
  // Milliseconds since the epoch (OpenMetrics seconds are converted).
  int64_t Timestamp() const { return s_.timestamp; }
  // Labels inside the braces (the metric name not counted).
  size_t NumLabels() const { return s_.labels.size(); }
  // The name label ("__name__" = MetricName()) followed by the labels in the
  // order written, values unescaped. Views point into the body or into
  // *scratch (cleared first; do not change it while using the views).
  void LabelViews(std::vector<LabelView>* out, std::string* scratch) const;
  // The same as a sorted Labels. Empty values are kept (storage drops them).
  void Labels(pharos::Labels* out) const;

  // --- exemplar of the current kSeries (OpenMetrics only) ---
  bool HasExemplar() const { return s_.has_exemplar; }
  double ExemplarValue() const { return s_.exemplar_value; }
  bool ExemplarHasTimestamp() const { return s_.exemplar_has_timestamp; }
  int64_t ExemplarTimestamp() const { return s_.exemplar_timestamp; }
  void ExemplarLabels(pharos::Labels* out) const;

  // --- kType, kHelp, kUnit ---
  std::string_view FamilyName() const { return s_.family; }
  MetricType Type() const { return s_.type; }
  // Unescaped help text: a view into the body, or into *scratch when the text
  // had escapes (text format: \\ and \n; OpenMetrics: also \").
  std::string_view Help(std::string* scratch) const;
  std::string_view HelpRaw() const { return s_.text; }
  std::string_view Unit() const { return s_.text; }

  // --- kComment --- The whole line, from '#'.
  std::string_view Comment() const { return s_.text; }

 private:
  Format format_;
  internal::ParserState s_;
  std::unique_ptr<internal::OpenMetricsStructure> rules_;  // OpenMetrics only
};

}  // namespace pharos::scrape::textparse
