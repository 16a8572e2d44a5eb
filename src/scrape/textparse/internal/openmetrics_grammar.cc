// OpenMetrics 1.0 text, line by line (the ABNF of the specification, with
// the lexical choices of Prometheus 2.53's model/textparse/openmetricsparse.go):
//
//   - Every line ends with '\n'; the body ends with "# EOF" and an optional
//     '\n', and nothing may follow. Blank lines are errors.
//   - '#' lines are "# HELP name text", "# TYPE name type", "# UNIT name unit"
//     and "# EOF"; anything else starting with '#' is an error.
//   - Single spaces separate the parts of a line; no other blanks anywhere.
//   - sample = name [labels] SP value [SP timestamp] [SP "# " labels SP value
//     [SP timestamp]] LF, labels = "{" [label *("," label)] "}".
//   - Values and timestamps read as Go's ParseFloat; timestamps are seconds
//     (not NaN or infinite), truncated to milliseconds.
//   - Label values: any UTF-8 but '"', '\\' and newline, or a backslash and
//     any byte but newline; NUL bytes are kept.
//   - An exemplar's label names and values have at most 128 code points.
// Rules that span lines are in OpenMetricsStructure.
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "scrape/textparse/internal/chars.h"
#include "scrape/textparse/internal/escape.h"
#include "scrape/textparse/internal/go_float.h"
#include "scrape/textparse/internal/grammars.h"
#include "scrape/textparse/internal/openmetrics_structure.h"
#include "scrape/textparse/internal/type_words.h"
#include "scrape/textparse/internal/utf8.h"

namespace pharos::scrape::textparse::internal {
namespace {

constexpr size_t kMaxExemplarCodePoints = 128;

bool StartsWith(const char* p, const char* end, std::string_view word) {
  return static_cast<size_t>(end - p) >= word.size() && std::memcmp(p, word.data(), word.size()) == 0;
}

// Up to the next ' ' or '\n' (or the end).
const char* TokenEnd(const char* p, const char* end) {
  while (p < end && *p != ' ' && *p != '\n') ++p;
  return p;
}

class OpenMetricsLine {
 public:
  OpenMetricsLine(ParserState& s, OpenMetricsStructure& rules) : s_(s), rules_(rules) {}

  Entry Parse() {
    const char* p = s_.p;
    if (p >= s_.end) {
      return s_.Fail(p, "unexpected end of input: OpenMetrics text must end with \"# EOF\"");
    }
    if (*p == '#') return ParseHashLine(p + 1);
    if (Is(*p, kMetricNameStart)) return ParseSample(p);
    if (*p == '\n') return s_.Fail(p, "blank line (not allowed in OpenMetrics)");
    return s_.FailGot(p, "expected a metric name or '#'");
  }

 private:
  Entry ParseHashLine(const char* p) {
    if (p >= s_.end || *p != ' ') return s_.FailGot(p, "expected ' ' after '#'");
    ++p;
    if (StartsWith(p, s_.end, "EOF")) return ParseEof(p + 3);
    Entry kind;
    if (StartsWith(p, s_.end, "HELP")) kind = Entry::kHelp;
    else if (StartsWith(p, s_.end, "TYPE")) kind = Entry::kType;
    else if (StartsWith(p, s_.end, "UNIT")) kind = Entry::kUnit;
    else return s_.Fail(p, "expected HELP, TYPE, UNIT or EOF after \"# \"");
    p += 4;
    if (p >= s_.end || *p != ' ') return s_.FailGot(p, "expected ' ' after the keyword");
    return ParseMetadata(kind, p + 1);
  }

  Entry ParseEof(const char* p) {
    if (p < s_.end && *p == '\n') ++p;
    if (p != s_.end) return s_.FailGot(p, "unexpected data after \"# EOF\"");
    s_.p = p;
    if (absl::Status st = rules_.OnEof(); !st.ok()) return s_.Fail(s_.entry_begin, SV(st.message()));
    return s_.Finish(Entry::kEof);
  }

  Entry ParseMetadata(Entry kind, const char* p) {
    if (p >= s_.end || !Is(*p, kMetricNameStart)) return s_.FailGot(p, "expected metric name");
    const char* name = p;
    p = SkipMetricNameChars(p + 1, s_.end);
    s_.family = std::string_view(name, static_cast<size_t>(p - name));
    if (p >= s_.end || *p != ' ') {
      return s_.FailGot(p, absl::StrCat("expected ' ' after metric name \"", AV(s_.family), "\""));
    }
    const char* text = ++p;
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(s_.end - p));
    if (nl == nullptr) return s_.FailGot(s_.end, "expected end of line");
    const char* eol = static_cast<const char*>(nl);
    s_.text = std::string_view(text, static_cast<size_t>(eol - text));
    if (kind == Entry::kType && !ParseTypeWord(s_.text, Format::kOpenMetrics, &s_.type)) {
      return s_.Fail(text, absl::StrCat("invalid metric type ", QuoteForError(s_.text)));
    }
    if (kind == Entry::kHelp && !IsValidUtf8(s_.text)) {
      return s_.Fail(text, "HELP text is not valid UTF-8");
    }
    if (kind == Entry::kUnit && !CheckUnit(text)) return Entry::kError;
    if (absl::Status st = rules_.OnMetadata(kind, s_.family, s_.type, s_.text); !st.ok()) {
      return s_.Fail(s_.entry_begin, SV(st.message()));
    }
    s_.p = eol + 1;
    ++s_.line;
    return kind;
  }

  // A non-empty unit is made of metric name characters and ends the family
  // name after an underscore.
  bool CheckUnit(const char* text) {
    std::string_view unit = s_.text, name = s_.family;
    if (unit.empty()) return true;
    for (size_t i = 0; i < unit.size(); ++i) {
      if (!Is(unit[i], kMetricNameChar)) {
        s_.FailGot(text + i, "invalid character in unit");
        return false;
      }
    }
    if (name.size() <= unit.size() || name.substr(name.size() - unit.size()) != unit ||
        name[name.size() - unit.size() - 1] != '_') {
      s_.Fail(text, absl::StrCat("unit \"", AV(unit), "\" is not a suffix of metric name \"",
                                 AV(name), "\" after '_'"));
      return false;
    }
    return true;
  }

  // Labels after '{' (p points past it) into `out`; returns past the '}' or
  // nullptr after Fail.
  const char* ParseLabels(const char* p, std::vector<RawLabel>* out) {
    out->clear();
    const char* e = s_.end;
    if (p < e && *p == '}') return p + 1;
    for (;;) {
      if (p >= e || !Is(*p, kLabelNameStart)) {
        s_.FailGot(p, "expected label name");
        return nullptr;
      }
      RawLabel l;
      s_.p = p;
      if (!s_.ScanLabel(Format::kOpenMetrics, &l)) return nullptr;
      if (!s_.PushLabel(out, l)) return nullptr;
      p = s_.p;
      if (p < e && *p == ',') {
        ++p;
        continue;
      }
      if (p < e && *p == '}') return s_.CheckUniqueNames(*out) ? p + 1 : nullptr;
      s_.FailGot(p, "expected ',' or '}' after label value");
      return nullptr;
    }
  }

  // A float token ending at ' ' or '\n'; nullptr after Fail.
  const char* ParseNumber(const char* p, std::string_view what, double* out) {
    const char* end = TokenEnd(p, s_.end);
    if (end == p) {
      s_.FailGot(p, absl::StrCat("expected ", AV(what)));
      return nullptr;
    }
    if (!ParseGoFloat(std::string_view(p, static_cast<size_t>(end - p)), out)) {
      s_.Fail(p, absl::StrCat("invalid ", AV(what), " ",
                              QuoteForError(std::string_view(p, static_cast<size_t>(end - p)))));
      return nullptr;
    }
    return end;
  }

  const char* ParseTimestamp(const char* p, std::string_view what, int64_t* out) {
    double seconds = 0;
    const char* end = ParseNumber(p, what, &seconds);
    if (end == nullptr) return nullptr;
    if (!std::isfinite(seconds)) {
      s_.Fail(p, absl::StrCat("invalid ", AV(what), " ",
                              QuoteForError(std::string_view(p, static_cast<size_t>(end - p)))));
      return nullptr;
    }
    *out = SecondsToMillis(seconds);
    return end;
  }

  // After "# {": the exemplar's labels, value and optional timestamp.
  const char* ParseExemplar(const char* p) {
    const char* start = p - 3;
    p = ParseLabels(p, &s_.exemplar_labels);
    if (p == nullptr) return nullptr;
    size_t code_points = 0;
    for (const RawLabel& l : s_.exemplar_labels) {
      code_points += CountCodePoints(l.name) + UnescapedCodePoints(l.value);
    }
    if (code_points > kMaxExemplarCodePoints) {
      s_.Fail(start, absl::StrCat("exemplar labels have ", code_points,
                                  " characters (at most 128 are allowed)"));
      return nullptr;
    }
    if (p >= s_.end || *p != ' ') {
      s_.FailGot(p, "expected ' ' after exemplar labels");
      return nullptr;
    }
    p = ParseNumber(p + 1, "exemplar value", &s_.exemplar_value);
    if (p == nullptr) return nullptr;
    if (p < s_.end && *p == ' ') {
      p = ParseTimestamp(p + 1, "exemplar timestamp", &s_.exemplar_timestamp);
      if (p == nullptr) return nullptr;
      s_.exemplar_has_timestamp = true;
    }
    s_.has_exemplar = true;
    return p;
  }

  bool IsExemplarStart(const char* p) const { return StartsWith(p, s_.end, "# {"); }

  Entry ParseSample(const char* name) {
    const char* e = s_.end;
    const char* p = SkipMetricNameChars(name + 1, e);
    s_.metric_name = std::string_view(name, static_cast<size_t>(p - name));
    s_.labels.clear();
    if (p < e && *p == '{') {
      p = ParseLabels(p + 1, &s_.labels);
      if (p == nullptr) return Entry::kError;
    }
    s_.series = std::string_view(name, static_cast<size_t>(p - name));
    if (p >= e || *p != ' ') return s_.FailGot(p, "expected ' ' and a value after the metric");
    p = ParseNumber(p + 1, "value", &s_.value);
    if (p == nullptr) return Entry::kError;

    s_.has_timestamp = false;
    s_.has_exemplar = false;
    s_.exemplar_has_timestamp = false;
    if (p < e && *p == ' ') {
      ++p;
      if (!IsExemplarStart(p)) {
        if (p < e && *p == '#') return s_.FailGot(p + 1, "expected \"# {\" to start an exemplar");
        p = ParseTimestamp(p, "timestamp", &s_.timestamp);
        if (p == nullptr) return Entry::kError;
        s_.has_timestamp = true;
        if (p < e && *p == ' ' && !IsExemplarStart(++p)) {
          return s_.FailGot(p, "expected \"# {\" to start an exemplar");
        }
      }
      if (IsExemplarStart(p)) {
        p = ParseExemplar(p + 3);
        if (p == nullptr) return Entry::kError;
      }
    }
    if (p >= e || *p != '\n') return s_.FailGot(p, "expected end of line");
    if (absl::Status st = rules_.OnSample(s_); !st.ok()) return s_.Fail(s_.entry_begin, SV(st.message()));
    s_.p = p + 1;
    ++s_.line;
    return Entry::kSeries;
  }

  ParserState& s_;
  OpenMetricsStructure& rules_;
};

}  // namespace

Entry NextOpenMetrics(ParserState& s, OpenMetricsStructure& rules) {
  if (s.done) return s.final_entry;
  s.BeginEntry();
  return OpenMetricsLine(s, rules).Parse();
}

}  // namespace pharos::scrape::textparse::internal
