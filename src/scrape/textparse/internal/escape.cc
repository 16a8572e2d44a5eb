#include "scrape/textparse/internal/escape.h"

#include <cstring>

#include "scrape/textparse/internal/utf8.h"

namespace pharos::scrape::textparse::internal {
namespace {

// The replacement of "\c", or 0 when "\c" is kept as written.
char Replacement(char c, Escapes escapes) {
  switch (c) {
    case '\\': return '\\';
    case 'n': return '\n';
    case '"': return escapes == Escapes::kLabelValue ? '"' : 0;
    default: return 0;
  }
}

}  // namespace

void AppendUnescaped(std::string_view raw, Escapes escapes, std::string* out) {
  const char* p = raw.data();
  const char* e = p + raw.size();
  while (p < e) {
    const char* bs = static_cast<const char*>(std::memchr(p, '\\', static_cast<size_t>(e - p)));
    if (bs == nullptr) {
      out->append(p, e);
      return;
    }
    out->append(p, bs);
    char r = bs + 1 < e ? Replacement(bs[1], escapes) : 0;
    if (r != 0) {
      out->push_back(r);
      p = bs + 2;
    } else {
      out->push_back('\\');
      p = bs + 1;
    }
  }
}

size_t UnescapedCodePoints(std::string_view raw) {
  size_t n = CountCodePoints(raw);
  for (size_t i = 0; i + 1 < raw.size(); ++i) {
    if (raw[i] == '\\' && Replacement(raw[i + 1], Escapes::kLabelValue) != 0) {
      --n;  // the pair stands for one character
      ++i;
    }
  }
  return n;
}

}  // namespace pharos::scrape::textparse::internal
