// The state both grammars share: the cursor over the body, the current entry
// and the error. Parser exposes it through its accessors; the grammars
// (text_grammar.cc, openmetrics_grammar.cc) fill it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "scrape/textparse/entry.h"

namespace pharos::scrape::textparse::internal {

// One label as written: the value is the text between the quotes, still
// escaped when `escaped` is set.
struct RawLabel {
  std::string_view name;
  std::string_view value;
  bool escaped = false;
};

struct ParserState {
  ParserState(std::string_view body, const ParserLimits& limits)
      : begin(body.data()), p(body.data()), end(body.data() + body.size()), limits(limits) {}

  // Input. `line` is the number of the line `p` is on.
  const char* begin;
  const char* p;
  const char* end;
  uint64_t line = 1;
  ParserLimits limits;

  // Where the current entry starts (for error positions and Parser::Line()).
  const char* entry_begin = nullptr;
  uint64_t entry_line = 1;

  // kSeries.
  std::string_view series;
  std::string_view metric_name;
  std::vector<RawLabel> labels;
  // Text format: a hook told the series text is known (parsed before), so
  // its labels were neither scanned nor checked; `labels` is empty.
  bool labels_skipped = false;
  size_t (*known_prefix)(void* ctx, const char* line, const char* end) = nullptr;
  bool (*known_series)(void* ctx, std::string_view series) = nullptr;
  void* known_ctx = nullptr;
  double value = 0;
  int64_t timestamp = 0;
  bool has_timestamp = false;
  bool has_exemplar = false;
  std::vector<RawLabel> exemplar_labels;
  double exemplar_value = 0;
  int64_t exemplar_timestamp = 0;
  bool exemplar_has_timestamp = false;

  // kType, kHelp, kUnit, kComment.
  std::string_view family;
  std::string_view text;  // raw help text, unit, or the whole comment line
  MetricType type = MetricType::kUnknown;

  // Once set, Next() keeps returning `final_entry`.
  bool done = false;
  Entry final_entry = Entry::kEof;
  absl::Status status;

  // Reused by CheckUniqueNames for lines with many labels.
  std::vector<const RawLabel*> sort_scratch;

  void BeginEntry() {
    entry_begin = p;
    entry_line = line;
  }
  Entry Finish(Entry e) {
    done = true;
    final_entry = e;
    return e;
  }

  // Stops parsing with "line L, column C: <what>"; `at` is the offending byte
  // (at or after entry_begin, possibly `end`). FailGot appends ", got <the byte
  // at `at`>".
  Entry Fail(const char* at, std::string_view what);
  Entry FailGot(const char* at, std::string_view what);

  // Scans `name="value"` from `p` (at the name's first byte) to after the
  // closing quote. The text format allows blanks around '=' and newlines in
  // the value; OpenMetrics neither. False after Fail.
  bool ScanLabel(Format format, RawLabel* out);

  // Scans the quoted value of label `name`; `p` points after the opening
  // quote and ends after the closing one. Newlines inside are allowed (and
  // counted) only when `allow_newline` (the text format). False after Fail.
  bool ScanQuotedValue(std::string_view name, bool allow_newline, RawLabel* out);

  // Appends a label, enforcing the label limit, unique names and that
  // "__name__" is not given again. False after Fail. Inline: it runs for
  // every label of every line.
  bool PushLabel(std::vector<RawLabel>* v, const RawLabel& l) {
    size_t n = v->size();
    if (n >= limits.max_labels_per_series || l.name == "__name__") return FailLabel(*v, l);
    if (n == 0) name_signatures.clear();
    if (n < kPairwiseCheckLimit) {
      // Length, first and last byte: equal names have equal signatures, and
      // different names seldom do.
      uint32_t sig = static_cast<uint32_t>(l.name.size()) << 16 |
                     static_cast<uint32_t>(static_cast<uint8_t>(l.name[0])) << 8 |
                     static_cast<uint8_t>(l.name.back());
      for (size_t i = 0; i < n; ++i) {
        if (name_signatures[i] == sig && (*v)[i].name == l.name) return FailDuplicate(l);
      }
      name_signatures.push_back(sig);
    }
    v->push_back(l);
    return true;
  }
  bool FailLabel(const std::vector<RawLabel>& v, const RawLabel& l);
  bool FailDuplicate(const RawLabel& l);
  // Finishes the duplicate check for lines with many labels. False after Fail.
  bool CheckUniqueNames(const std::vector<RawLabel>& labels);

  // Lines with up to this many labels are checked for repeated names as
  // they are read, comparing small signatures first; longer ones are sorted.
  static constexpr size_t kPairwiseCheckLimit = 32;
  std::vector<uint32_t> name_signatures;
};

// A string for an error message: quoted, non-printable bytes escaped, cut
// after `max` bytes.
std::string QuoteForError(std::string_view s, size_t max = 64);

}  // namespace pharos::scrape::textparse::internal
