// Text helpers of relabeling that must behave as Go's: template expansion,
// case mapping and the hashmod digest.
#include <locale.h>
#include <openssl/evp.h>
#include <wctype.h>

#include <cstdint>
#include <cstring>

#include "scrape/relabel/relabel.h"

namespace pharos::relabel {
namespace {

// A locale with Unicode character classes and case tables (glibc's built-in
// C.UTF-8); nullptr when unavailable, which leaves non-ASCII text unmapped.
locale_t UnicodeLocale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Decodes one UTF-8 rune at s[i]; invalid input yields U+FFFD with width 1.
char32_t DecodeRune(std::string_view s, size_t i, size_t* width) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  *width = 1;
  if (c < 0x80) return c;
  int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0xFFFD;
  char32_t cp = c & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    return 0xFFFD;
  }
  *width = static_cast<size_t>(len);
  return cp;
}

void AppendRune(char32_t r, std::string* out) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

template <bool kUpper>
void AppendCase(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size());
  locale_t loc = UnicodeLocale();
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (kUpper && c >= 'a' && c <= 'z') c -= 32;
      if (!kUpper && c >= 'A' && c <= 'Z') c += 32;
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    size_t width;
    char32_t r = DecodeRune(s, i, &width);
    if (loc != static_cast<locale_t>(0) && r != 0xFFFD) {
      r = static_cast<char32_t>(kUpper ? towupper_l(static_cast<wint_t>(r), loc)
                                       : towlower_l(static_cast<wint_t>(r), loc));
    }
    AppendRune(r, out);
    i += width;
  }
}

// Go's unicode.IsLetter || unicode.IsDigit || '_' for the rune at s[i].
bool IsNameRune(std::string_view s, size_t i, size_t* width) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *width = 1;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  char32_t r = DecodeRune(s, i, width);
  locale_t loc = UnicodeLocale();
  if (r == 0xFFFD || loc == static_cast<locale_t>(0)) return false;
  return iswalnum_l(static_cast<wint_t>(r), loc) != 0;
}

}  // namespace

void AppendLower(std::string_view s, std::string* out) { AppendCase<false>(s, out); }
void AppendUpper(std::string_view s, std::string* out) { AppendCase<true>(s, out); }

void ExpandTemplate(std::string_view tmpl, const config::RelabelRegex& re, const std::string_view* groups,
                    int num_groups, std::string* out) {
  auto append_group = [&](int i) {
    if (i >= 0 && i < num_groups && groups[i].data() != nullptr) out->append(groups[i]);
  };
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // A reference: a name of letters, digits and '_', optionally in braces.
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    size_t start = brace ? 1 : 0;
    size_t i = start;
    size_t width = 0;
    while (i < tmpl.size() && IsNameRune(tmpl, i, &width)) i += width;
    std::string_view name = tmpl.substr(start, i - start);
    bool ok = !name.empty();
    if (ok && brace) {
      if (i >= tmpl.size() || tmpl[i] != '}') {
        ok = false;
      } else {
        ++i;
      }
    }
    if (!ok) {
      out->push_back('$');  // malformed: the '$' stays as text
      continue;
    }
    tmpl.remove_prefix(i);
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;  // no leading zeros
    if (num >= 0) {
      append_group(num);
    } else {
      append_group(re.GroupIndex(name));
    }
  }
  out->append(tmpl);
}

uint64_t HashMod(std::string_view s, uint64_t modulus) {
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), digest, &len, md5, nullptr);
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | digest[i];
  return v % modulus;
}

}  // namespace pharos::relabel
