// Character classes of the exposition formats, as 256-entry tables so that the
// scanners do one load per byte.
#pragma once

#include <array>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pharos::scrape::textparse::internal {

enum CharClass : uint8_t {
  kMetricNameStart = 1 << 0,  // [a-zA-Z_:]
  kMetricNameChar = 1 << 1,   // [a-zA-Z0-9_:]
  kLabelNameStart = 1 << 2,   // [a-zA-Z_]
  kLabelNameChar = 1 << 3,    // [a-zA-Z0-9_]
  kDigit = 1 << 4,            // [0-9]
  // Bytes that end the fast scan of a quoted label value: '"', '\\', '\n'
  // and every byte >= 0x80 (so that UTF-8 is validated only when present).
  kValueStop = 1 << 5,
  kSpaceTab = 1 << 6,  // ' ', '\t'
  // Bytes that end a value in the Prometheus text format: ' ', '\t', '\n',
  // '{' and NUL.
  kTextValueEnd = 1 << 7,
};

inline constexpr std::array<uint8_t, 256> kCharClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    uint8_t v = 0;
    if (alpha || c == '_' || c == ':') v |= kMetricNameStart | kMetricNameChar;
    if (digit) v |= kMetricNameChar | kLabelNameChar | kDigit;
    if (alpha || c == '_') v |= kLabelNameStart | kLabelNameChar;
    if (c == '"' || c == '\\' || c == '\n' || c >= 0x80) v |= kValueStop;
    if (c == ' ' || c == '\t') v |= kSpaceTab;
    if (c == ' ' || c == '\t' || c == '\n' || c == '{' || c == 0) v |= kTextValueEnd;
    t[c] = v;
  }
  return t;
}();

inline bool Is(char c, CharClass cls) { return kCharClass[static_cast<uint8_t>(c)] & cls; }

// Advances p while the byte is of class `cls`; never past end.
inline const char* SkipClass(const char* p, const char* end, CharClass cls) {
  while (p < end && Is(*p, cls)) ++p;
  return p;
}

// Advances p over name characters: [a-zA-Z0-9_:] for metric names, the same
// without ':' for label names. Names are the longest tokens of a typical
// line, so with SSE2 sixteen bytes are classified at a time.
template <bool kColon>
inline const char* SkipNameChars(const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Bytes >= 0x80 are negative as signed and fail every range below.
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(x, _mm_set1_epi8(kColon ? ':' + 1 : '9' + 1)));
    __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
    __m128i under = _mm_cmpeq_epi8(x, _mm_set1_epi8('_'));
    unsigned ok = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, alpha), under)));
    if (ok != 0xFFFF) return p + __builtin_ctz(~ok);
    p += 16;
  }
#endif
  return SkipClass(p, end, kColon ? kMetricNameChar : kLabelNameChar);
}

inline const char* SkipMetricNameChars(const char* p, const char* end) {
  return SkipNameChars<true>(p, end);
}
inline const char* SkipLabelNameChars(const char* p, const char* end) {
  return SkipNameChars<false>(p, end);
}

}  // namespace pharos::scrape::textparse::internal
