// The Prometheus text format 0.0.4, accepting what Prometheus 2.53's scrape
// parser (model/textparse/promparse.go) accepts:
//
//   - Blanks (' ', '\t') may surround every token; blank lines are skipped.
//   - "# HELP name text" and "# TYPE name type" are metadata; any other line
//     starting with '#' is a comment (so "# EOF" is only a comment).
//   - The text of HELP/TYPE is the rest of the line minus its first byte (the
//     separating blank); TYPE must then be exactly counter, gauge, histogram,
//     summary or untyped.
//   - A sample is name [{labels}] value [timestamp]; label values are quoted,
//     may span lines, and must be valid UTF-8; commas between labels are
//     optional and a trailing comma is allowed.
//   - The value is any run of bytes up to a blank, newline or '{', read as Go's
//     ParseFloat reads it; the timestamp is decimal digits (milliseconds).
//   - A NUL byte where a line would start ends the body, as in Prometheus;
//     NUL bytes inside label values, HELP text and comments are kept.
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "scrape/textparse/internal/chars.h"
#include "scrape/textparse/internal/go_float.h"
#include "scrape/textparse/internal/grammars.h"
#include "scrape/textparse/internal/type_words.h"
#include "scrape/textparse/internal/utf8.h"

namespace pharos::scrape::textparse::internal {
namespace {

const char* SkipBlanks(const char* p, const char* end) { return SkipClass(p, end, kSpaceTab); }

const char* LineEnd(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
  return nl != nullptr ? static_cast<const char*>(nl) : end;
}

bool StartsWith(const char* p, const char* end, std::string_view word) {
  return static_cast<size_t>(end - p) >= word.size() && std::memcmp(p, word.data(), word.size()) == 0;
}

// Moves past the '\n' at `p` (or stays at the end of the body).
void EndLine(ParserState& s, const char* p) {
  s.p = p;
  if (p < s.end) {
    ++s.p;
    ++s.line;
  }
}

Entry ParseMetadata(ParserState& s, bool help) {
  const char* p = s.p;
  if (p >= s.end || !Is(*p, kMetricNameStart)) {
    return s.FailGot(p, help ? "expected metric name after HELP" : "expected metric name after TYPE");
  }
  const char* name = p;
  p = SkipMetricNameChars(p + 1, s.end);
  s.family = std::string_view(name, static_cast<size_t>(p - name));
  const char* eol = LineEnd(p, s.end);
  std::string_view rest(p, static_cast<size_t>(eol - p));
  // Prometheus' lexer takes the rest of the line and drops its first byte,
  // normally the blank after the name; blanks alone make an empty text.
  std::string_view text;
  if (rest.find_first_not_of(" \t") != std::string_view::npos) text = rest.substr(1);
  s.text = text;
  if (help) {
    if (!IsValidUtf8(text)) return s.Fail(text.data(), "HELP text is not valid UTF-8");
  } else if (!ParseTypeWord(text, Format::kPrometheusText, &s.type)) {
    return s.Fail(text.empty() ? eol : text.data(),
                  absl::StrCat("invalid metric type ", QuoteForError(text),
                               " (expected counter, gauge, histogram, summary or untyped)"));
  }
  EndLine(s, eol);
  return help ? Entry::kHelp : Entry::kType;
}

Entry ParseHashLine(ParserState& s, const char* hash) {
  const char* p = hash + 1;
  if (p < s.end && Is(*p, kSpaceTab)) {
    p = SkipBlanks(p, s.end);
    bool help = StartsWith(p, s.end, "HELP");
    if ((help || StartsWith(p, s.end, "TYPE")) && p + 4 < s.end && Is(p[4], kSpaceTab)) {
      s.p = SkipBlanks(p + 4, s.end);
      return ParseMetadata(s, help);
    }
  }
  const char* eol = LineEnd(hash, s.end);
  s.text = std::string_view(hash, static_cast<size_t>(eol - hash));
  EndLine(s, eol);
  return Entry::kComment;
}

// The labels after '{' (s.p is past it); leaves s.p after the '}'.
bool ParseLabels(ParserState& s) {
  const char* e = s.end;
  for (;;) {
    const char* p = SkipBlanks(s.p, e);
    if (p < e && *p == '}') {
      s.p = p + 1;
      return s.CheckUniqueNames(s.labels);
    }
    if (p >= e || !Is(*p, kLabelNameStart)) {
      s.FailGot(p, "expected label name or '}'");
      return false;
    }
    RawLabel l;
    s.p = p;
    if (!s.ScanLabel(Format::kPrometheusText, &l)) return false;
    if (!s.PushLabel(&s.labels, l)) return false;
    p = SkipBlanks(s.p, e);
    if (p < e && *p == ',') ++p;
    s.p = p;
  }
}

// The end (after '}') of a label set starting after '{' at `p`, skipping
// quoted values with their escapes; null at a newline (values with
// newlines, which move the line count, take the full parse) or the end.
// On a series text that parsed before, this is where ParseLabels ends.
const char* SkimLabels(const char* p, const char* e) {
  while (p < e) {
    char c = *p++;
    if (c == '}') return p;
    if (c == '\n') return nullptr;
    if (c != '"') continue;
    while (p < e && *p != '"') {
      if (*p == '\n') return nullptr;
      p += (*p == '\\') ? 2 : 1;
    }
    ++p;
  }
  return nullptr;
}

// The labels of a series line from `name` (its first byte): skipped when a
// hook knows the series, parsed otherwise. Sets the series' fields and
// returns where its text ends, or null after Fail.
const char* ParseSeries(ParserState& s, const char* name) {
  const char* e = s.end;
  s.labels.clear();
  s.labels_skipped = false;
  const size_t known = s.known_prefix != nullptr ? s.known_prefix(s.known_ctx, name, e) : 0;
  if (known > 1 && known <= static_cast<size_t>(e - name) && name[known - 1] == '}') {
    // The line starts with a series text with labels that parsed before:
    // parsing these bytes again would end at the same '}'. The metric name
    // is found only if asked for (Parser::MetricName).
    s.labels_skipped = true;
    s.metric_name = {};
    return name + known;
  }
  const char* p = SkipMetricNameChars(name + 1, e);
  s.metric_name = std::string_view(name, static_cast<size_t>(p - name));
  const char* name_end = p;
  p = SkipBlanks(p, e);
  if (p >= e || *p != '{') return name_end;
  const char* skim = nullptr;
  if (s.known_series != nullptr && (skim = SkimLabels(p + 1, e)) != nullptr &&
      s.known_series(s.known_ctx, std::string_view(name, static_cast<size_t>(skim - name)))) {
    // The same bytes parsed and passed every check before: same labels.
    s.labels_skipped = true;
    return skim;
  }
  s.p = p + 1;
  if (!ParseLabels(s)) return nullptr;
  return s.p;
}

Entry ParseSample(ParserState& s, const char* name) {
  const char* e = s.end;
  const char* series_end = ParseSeries(s, name);
  if (series_end == nullptr) return Entry::kError;
  const char* p = SkipBlanks(series_end, e);
  s.series = std::string_view(name, static_cast<size_t>(series_end - name));

  const char* value = p;
  // Plain decimals are read in the scan that finds the value's end.
  if (const char* n = ParsePlainDecimal(p, e, &s.value); n != nullptr && (n == e || Is(*n, kTextValueEnd))) {
    p = n;
  } else {
    while (p < e && !Is(*p, kTextValueEnd)) ++p;
    if (p == value) return s.FailGot(p, "expected value after metric");
    if (!ParseGoFloat(std::string_view(value, static_cast<size_t>(p - value)), &s.value)) {
      return s.Fail(value, absl::StrCat("invalid value ", QuoteForError(std::string_view(value, p - value))));
    }
  }
  p = SkipBlanks(p, e);
  s.has_timestamp = false;
  if (p < e && *p != '\n') {
    if (!Is(*p, kDigit)) return s.FailGot(p, "expected timestamp or end of line after value");
    const char* ts = p;
    p = SkipClass(p, e, kDigit);
    if (!ParseDecimalInt64(std::string_view(ts, static_cast<size_t>(p - ts)), &s.timestamp)) {
      return s.Fail(ts, absl::StrCat("timestamp ", AV(std::string_view(ts, p - ts)),
                                     " is out of range"));
    }
    s.has_timestamp = true;
    p = SkipBlanks(p, e);
    if (p < e && *p != '\n') return s.FailGot(p, "expected end of line after timestamp");
  }
  EndLine(s, p);
  return Entry::kSeries;
}

}  // namespace

Entry NextText(ParserState& s) {
  if (s.done) return s.final_entry;
  for (;;) {
    s.BeginEntry();
    const char* p = SkipBlanks(s.p, s.end);
    if (p >= s.end || *p == '\0') return s.Finish(Entry::kEof);
    if (*p == '\n') {
      EndLine(s, p);
      continue;
    }
    if (*p == '#') return ParseHashLine(s, p);
    if (Is(*p, kMetricNameStart)) return ParseSample(s, p);
    return s.FailGot(p, "expected a metric name or '#'");
  }
}

}  // namespace pharos::scrape::textparse::internal
