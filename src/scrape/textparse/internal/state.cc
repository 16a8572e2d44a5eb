#include "scrape/textparse/internal/state.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "scrape/textparse/internal/chars.h"
#include "scrape/textparse/internal/utf8.h"

namespace pharos::scrape::textparse::internal {
namespace {

std::string DescribeByte(const char* at, const char* end) {
  if (at >= end) return "end of input";
  unsigned char c = static_cast<unsigned char>(*at);
  if (c == '\n') return "end of line";
  if (c >= 0x20 && c < 0x7f) return std::string{'\'', *at, '\''};
  static constexpr char kHex[] = "0123456789abcdef";
  return absl::StrCat("byte 0x", std::string{kHex[c >> 4], kHex[c & 15]});
}

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// High bit set in each byte of `v` that is zero (exact up to the first zero
// byte, which is all that is used).
inline uint64_t ZeroBytes(uint64_t v) { return (v - kOnes) & ~v & kHighBits; }

// The first byte at or after p that is '"', '\\', '\n' or >= 0x80 (or end):
// eight bytes at a time while they last.
const char* SkipToValueStop(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    uint64_t stops = ZeroBytes(v ^ (kOnes * '"')) | ZeroBytes(v ^ (kOnes * '\\')) |
                     ZeroBytes(v ^ (kOnes * '\n')) | (v & kHighBits);
    if (stops != 0) return p + (__builtin_ctzll(stops) >> 3);
    p += 8;
  }
  while (p < end && !Is(*p, kValueStop)) ++p;
  return p;
}

}  // namespace

std::string QuoteForError(std::string_view s, size_t max) {
  bool cut = s.size() > max;
  if (cut) s = s.substr(0, max);
  return absl::StrCat("\"", absl::CHexEscape(AV(s)), cut ? "\"..." : "\"");
}

Entry ParserState::Fail(const char* at, std::string_view what) {
  // Entries start at a line start; count lines from there (errors are rare
  // and lines short).
  const char* line_start = entry_begin != nullptr ? entry_begin : begin;
  uint64_t l = entry_begin != nullptr ? entry_line : 1;
  for (const char* q = line_start; q < at && q < end; ++q) {
    if (*q == '\n') {
      ++l;
      line_start = q + 1;
    }
  }
  status = absl::InvalidArgumentError(
      absl::StrCat("line ", l, ", column ", (at - line_start) + 1, ": ", AV(what)));
  return Finish(Entry::kError);
}

Entry ParserState::FailGot(const char* at, std::string_view what) {
  return Fail(at, absl::StrCat(AV(what), ", got ", DescribeByte(at, end)));
}

bool ParserState::ScanLabel(Format format, RawLabel* out) {
  const bool text = format == Format::kPrometheusText;
  const char* q = p;
  const char* name = q;
  q = SkipLabelNameChars(q + 1, end);
  out->name = std::string_view(name, static_cast<size_t>(q - name));
  if (text) q = SkipClass(q, end, kSpaceTab);
  if (q >= end || *q != '=') {
    FailGot(q, absl::StrCat("expected '=' after label name \"", AV(out->name), "\""));
    return false;
  }
  ++q;
  if (text) q = SkipClass(q, end, kSpaceTab);
  if (q >= end || *q != '"') {
    FailGot(q, absl::StrCat("expected '\"' to start the value of label \"", AV(out->name), "\""));
    return false;
  }
  p = q + 1;
  return ScanQuotedValue(out->name, /*allow_newline=*/text, out);
}

bool ParserState::ScanQuotedValue(std::string_view name, bool allow_newline, RawLabel* out) {
  const char* start = p;
  const char* q = p;
  bool escaped = false;
  bool high = false;
  for (;;) {
    q = SkipToValueStop(q, end);
    if (q >= end) {
      Fail(start - 1, absl::StrCat("unterminated value of label \"", AV(name), "\""));
      return false;
    }
    char c = *q;
    if (c == '"') break;
    if (c == '\\') {
      // A backslash escapes any byte but a newline.
      if (q + 1 >= end || q[1] == '\n') {
        FailGot(q + 1, absl::StrCat("invalid escape in value of label \"", AV(name), "\""));
        return false;
      }
      high |= static_cast<unsigned char>(q[1]) >= 0x80;
      escaped = true;
      q += 2;
    } else if (c == '\n') {
      if (!allow_newline) {
        Fail(start - 1, absl::StrCat("unterminated value of label \"", AV(name), "\""));
        return false;
      }
      ++line;
      ++q;
    } else {
      high = true;
      ++q;
    }
  }
  std::string_view value(start, static_cast<size_t>(q - start));
  if (high && !IsValidUtf8(value)) {
    Fail(start, absl::StrCat("invalid UTF-8 in value of label \"", AV(name), "\""));
    return false;
  }
  out->value = value;
  out->escaped = escaped;
  p = q + 1;
  return true;
}

bool ParserState::FailLabel(const std::vector<RawLabel>& v, const RawLabel& l) {
  if (v.size() >= limits.max_labels_per_series) {
    Fail(l.name.data(), absl::StrCat("more than ", limits.max_labels_per_series, " labels"));
  } else {
    Fail(l.name.data(), "label \"__name__\" repeats the metric name");
  }
  return false;
}

bool ParserState::FailDuplicate(const RawLabel& l) {
  Fail(l.name.data(), absl::StrCat("duplicate label name \"", AV(l.name), "\""));
  return false;
}

bool ParserState::CheckUniqueNames(const std::vector<RawLabel>& v) {
  if (v.size() <= kPairwiseCheckLimit) return true;
  sort_scratch.clear();
  for (const RawLabel& l : v) sort_scratch.push_back(&l);
  std::sort(sort_scratch.begin(), sort_scratch.end(), [](const RawLabel* a, const RawLabel* b) {
    return a->name < b->name || (a->name == b->name && a->name.data() < b->name.data());
  });
  for (size_t i = 1; i < sort_scratch.size(); ++i) {
    if (sort_scratch[i - 1]->name == sort_scratch[i]->name) {
      return FailDuplicate(*sort_scratch[i]);
    }
  }
  return true;
}

}  // namespace pharos::scrape::textparse::internal
