// PromQL string literals: Go's escapes in "…" and '…', raw `…`.
#include <cstdint>
#include <string>
#include <string_view>

#include "promql/parser.h"

namespace pharos::promql {
namespace {

// Appends the UTF-8 encoding of `cp`.
bool AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return true;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> UnquoteString(std::string_view q) {
  if (q.size() < 2 || q.front() != q.back()) return absl::InvalidArgumentError("invalid syntax");
  char quote = q.front();
  std::string_view s = q.substr(1, q.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return absl::InvalidArgumentError("invalid syntax");
    return std::string(s);
  }
  if (quote != '"' && quote != '\'') return absl::InvalidArgumentError("invalid syntax");
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == quote || c == '\n') return absl::InvalidArgumentError("invalid syntax");
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return absl::InvalidArgumentError("invalid syntax");
    char e = s[i];
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': out.push_back('\\'); break;
      case '\'':
      case '"':
        if (e != quote) return absl::InvalidArgumentError("invalid syntax");
        out.push_back(e);
        break;
      case 'x': case 'u': case 'U': {
        int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n >= s.size() + 0 && i + n > s.size() - 1 + 1) return absl::InvalidArgumentError("invalid syntax");
        uint32_t v = 0;
        for (int k = 1; k <= n; ++k) {
          if (i + k >= s.size()) return absl::InvalidArgumentError("invalid syntax");
          int h = HexVal(s[i + k]);
          if (h < 0) return absl::InvalidArgumentError("invalid syntax");
          v = v * 16 + h;
        }
        i += n;
        if (e == 'x') {
          out.push_back(static_cast<char>(v));
        } else if (!AppendUtf8(v, &out)) {
          return absl::InvalidArgumentError("invalid syntax");
        }
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        uint32_t v = 0;
        for (int k = 0; k < 3; ++k) {
          if (i + k >= s.size() || s[i + k] < '0' || s[i + k] > '7') return absl::InvalidArgumentError("invalid syntax");
          v = v * 8 + (s[i + k] - '0');
        }
        if (v > 255) return absl::InvalidArgumentError("invalid syntax");
        i += 2;
        out.push_back(static_cast<char>(v));
        break;
      }
      default:
        return absl::InvalidArgumentError("invalid syntax");
    }
  }
  return out;
}

}  // namespace pharos::promql
