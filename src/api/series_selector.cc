#include "api/series_selector.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "api/go_format.h"
#include "common/labels.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace pharos::api {
namespace {

constexpr size_t kMaxInput = 64 * 1024;
constexpr size_t kMaxMatchers = 1000;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  absl::StatusOr<Matchers> Parse() {
    SkipSpace();
    std::string name;
    size_t start = pos_;
    if (pos_ < in_.size() && (IsAlpha(in_[pos_]) || in_[pos_] == ':')) {
      while (pos_ < in_.size() && (IsAlpha(in_[pos_]) || IsDigit(in_[pos_]) || in_[pos_] == ':')) ++pos_;
      name = std::string(in_.substr(start, pos_ - start));
      SkipSpace();
    } else if (pos_ >= in_.size()) {
      return Error(pos_, "unexpected end of input");
    } else if (in_[pos_] != '{') {
      return Unexpected();
    }
    Matchers out;
    if (pos_ < in_.size() && in_[pos_] == '{') {
      ++pos_;
      auto st = ParseMatchers(&out);
      if (!st.ok()) return st;
      SkipSpace();
    }
    if (pos_ < in_.size()) return Unexpected();
    if (!name.empty()) {
      for (const auto& m : out) {
        if (m.name() == kMetricName) {
          return Error(start, absl::StrCat("metric name must not be set twice: ", GoQuote(name), " or ",
                                           GoQuote(m.value())));
        }
      }
      out.push_back(Matcher::MustMake(MatchType::kEqual, kMetricName, name));
    } else {
      bool non_empty = false;
      for (const auto& m : out) non_empty |= !m.MatchesEmpty();
      if (!non_empty) return Error(start, "vector selector must contain at least one non-empty matcher");
    }
    return out;
  }

 private:
  absl::Status ParseMatchers(Matchers* out) {
    for (;;) {
      SkipSpace();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      char c = in_[pos_];
      if (c == '}') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c == ',') return Error(pos_, "unexpected \",\" in label matching, expected identifier or \"}\"");
      if (!IsAlpha(c)) return Error(pos_, absl::StrCat("unexpected character inside braces: ", CharQuote(c)));
      size_t ns = pos_;
      while (pos_ < in_.size() && (IsAlpha(in_[pos_]) || IsDigit(in_[pos_]))) ++pos_;
      std::string_view label = in_.substr(ns, pos_ - ns);
      SkipSpace();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      MatchType type;
      if (in_.substr(pos_, 2) == "=~") {
        type = MatchType::kRegexMatch;
        pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!~") {
        type = MatchType::kRegexNoMatch;
        pos_ += 2;
      } else if (in_.substr(pos_, 2) == "!=") {
        type = MatchType::kNotEqual;
        pos_ += 2;
      } else if (in_[pos_] == '=') {
        type = MatchType::kEqual;
        pos_ += 1;
      } else if (in_[pos_] == '}' || in_[pos_] == ',') {
        return Error(pos_, absl::StrCat("unexpected \"", std::string(1, in_[pos_]),
                                        "\" in label matching, expected label matching operator"));
      } else {
        return Error(pos_, absl::StrCat("unexpected character inside braces: ", CharQuote(in_[pos_])));
      }
      SkipSpace();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      std::string value;
      char q = in_[pos_];
      if (q == '"' || q == '\'' || q == '`') {
        auto st = ParseString(&value);
        if (!st.ok()) return st;
      } else if (IsAlpha(q)) {
        size_t vs = pos_;
        while (pos_ < in_.size() && (IsAlpha(in_[pos_]) || IsDigit(in_[pos_]))) ++pos_;
        return Error(vs, absl::StrCat("unexpected identifier ", GoQuote(in_.substr(vs, pos_ - vs)),
                                      " in label matching, expected string"));
      } else if (q == '=' || q == '}' || q == ',') {
        return Error(pos_, absl::StrCat("unexpected \"", std::string(1, q), "\" in label matching, expected string"));
      } else {
        return Error(pos_, absl::StrCat("unexpected character inside braces: ", CharQuote(q)));
      }
      if (out->size() >= kMaxMatchers) return Error(ns, absl::StrCat("more than ", kMaxMatchers, " matchers"));
      auto m = Matcher::Make(type, label, value);
      if (!m.ok()) return Error(ns, SV(m.status().message()));
      out->push_back(*std::move(m));
      SkipSpace();
      if (pos_ >= in_.size()) return Error(pos_, "unexpected end of input inside braces");
      if (in_[pos_] == ',') {
        ++pos_;
      } else if (in_[pos_] != '}') {
        if (IsAlpha(in_[pos_])) {
          size_t is = pos_;
          while (pos_ < in_.size() && (IsAlpha(in_[pos_]) || IsDigit(in_[pos_]))) ++pos_;
          return Error(is, absl::StrCat("unexpected identifier ", GoQuote(in_.substr(is, pos_ - is)),
                                        " in label matching, expected \",\" or \"}\""));
        }
        return Error(pos_, absl::StrCat("unexpected character inside braces: ", CharQuote(in_[pos_])));
      }
    }
  }

  // Reads a quoted string at pos_ into `out`, decoding escapes.
  absl::Status ParseString(std::string* out) {
    size_t start = pos_;
    char q = in_[pos_++];
    for (;;) {
      if (pos_ >= in_.size() || (q != '`' && in_[pos_] == '\n')) {
        return Error(start, "unterminated quoted string");
      }
      unsigned char c = in_[pos_];
      if (c == static_cast<unsigned char>(q)) {
        ++pos_;
        break;
      }
      if (c >= 0x80) {
        size_t n = Utf8SequenceLength(in_, pos_);
        if (n == 0) return Error(start, "invalid UTF-8 rune");
        out->append(in_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\' || q == '`') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= in_.size()) return Error(start, "unterminated quoted string");
      char e = in_[pos_++];
      switch (e) {
        case 'a': out->push_back('\a'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'v': out->push_back('\v'); break;
        case '\\': out->push_back('\\'); break;
        case '"':
        case '\'':
          if (e != q) return Error(pos_ - 2, "unknown escape sequence");
          out->push_back(e);
          break;
        case 'x': {
          uint32_t v;
          if (!Hex(2, &v)) return Error(pos_ - 2, "illegal character in escape sequence");
          out->push_back(static_cast<char>(v));
          break;
        }
        case 'u':
        case 'U': {
          uint32_t v;
          if (!Hex(e == 'u' ? 4 : 8, &v)) return Error(pos_ - 2, "illegal character in escape sequence");
          if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            return Error(pos_, "escape sequence is an invalid Unicode code point");
          }
          AppendUtf8(v, out);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = e - '0';
            for (int i = 0; i < 2; ++i) {
              if (pos_ >= in_.size() || in_[pos_] < '0' || in_[pos_] > '7') {
                return Error(pos_, "illegal character in escape sequence");
              }
              v = v * 8 + (in_[pos_++] - '0');
            }
            if (v > 255) return Error(pos_, "octal escape value > 255");
            out->push_back(static_cast<char>(v));
            break;
          }
          return Error(pos_ - 2, "unknown escape sequence");
      }
    }
    return absl::OkStatus();
  }

  bool Hex(int n, uint32_t* v) {
    *v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= in_.size()) return false;
      char c = in_[pos_];
      int d = IsDigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + d;
      ++pos_;
    }
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  void SkipSpace() {
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++pos_;
      } else if (c == '#') {  // a comment runs to the end of the line
        while (pos_ < in_.size() && in_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  absl::Status Unexpected() {
    char c = in_[pos_];
    if (c == '}') return Error(pos_, "unexpected character: '}'");
    if (c == '[') return Error(pos_, "range selectors are not series selectors");
    return Error(pos_, absl::StrCat("unexpected character: ", CharQuote(c)));
  }

  static std::string CharQuote(char c) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return absl::StrCat("'\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2), "'");
    }
    return absl::StrCat("'", std::string(1, c), "'");
  }

  // "<line>:<column>: parse error: <msg>", 1-based, columns in bytes.
  absl::Status Error(size_t at, std::string_view msg) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < in_.size(); ++i) {
      if (in_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(line, ":", col, ": parse error: ", AV(msg)));
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<Matchers> ParseSeriesSelector(std::string_view input) {
  if (input.size() > kMaxInput) {
    return absl::InvalidArgumentError(absl::StrCat("selector of ", input.size(), " bytes exceeds the limit of ",
                                                   kMaxInput, " bytes"));
  }
  return Parser(input).Parse();
}

}  // namespace pharos::api
