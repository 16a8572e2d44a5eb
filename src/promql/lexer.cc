#include "promql/internal/lexer.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "common/strings.h"

namespace pharos::promql::internal {
namespace {

bool IsAlpha(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

// Length of a duration ("1h30m", "100ms") at the start of s, or 0.
size_t ScanDuration(std::string_view s) {
  size_t i = 0;
  bool any = false;
  while (i < s.size() && IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i >= s.size()) return 0;
    if (s.substr(i, 2) == "ms") {
      i += 2;
    } else if (std::string_view("smhdwy").find(s[i]) != std::string_view::npos) {
      ++i;
    } else {
      return 0;
    }
    any = true;
  }
  if (!any) return 0;
  if (i < s.size() && IsAlnum(s[i])) return 0;
  return i;
}

// Length of a number at the start of s, or 0 when the text is not a number
// (followed by letters, say).
size_t ScanNumber(std::string_view s) {
  size_t i = 0;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    i = 2;
    size_t d = i;
    while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == d) return 0;
  } else {
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      size_t j = i + 1;
      if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
      if (j < s.size() && IsDigit(s[j])) {
        while (j < s.size() && IsDigit(s[j])) ++j;
        i = j;
      }
    }
  }
  if (i < s.size() && IsAlnum(s[i])) return 0;
  return i;
}

// Validates a quoted string starting at s[0] (the quote); returns its length
// including both quotes or 0 with `msg` set.
size_t ScanString(std::string_view s, std::string* msg) {
  char q = s[0];
  size_t i = 1;
  if (q == '`') {
    while (i < s.size() && s[i] != '`') ++i;
    if (i >= s.size()) {
      *msg = "unterminated raw string";
      return 0;
    }
    return i + 1;
  }
  while (i < s.size()) {
    char c = s[i];
    if (c == q) return i + 1;
    if (c == '\n') break;
    if (c == '\\') {
      ++i;
      if (i >= s.size()) break;
      char e = s[i];
      int hex = 0, oct = 0;
      switch (e) {
        case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
          break;
        case 'x': hex = 2; break;
        case 'u': hex = 4; break;
        case 'U': hex = 8; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
          oct = 2;
          break;
        default:
          if (e == q) break;
          *msg = "unknown escape sequence";
          return 0;
      }
      for (int k = 0; k < hex; ++k) {
        ++i;
        if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) {
          *msg = "illegal character in escape sequence";
          return 0;
        }
      }
      for (int k = 0; k < oct; ++k) {
        ++i;
        if (i >= s.size() || s[i] < '0' || s[i] > '7') {
          *msg = "illegal character in escape sequence";
          return 0;
        }
      }
    }
    ++i;
  }
  *msg = "unterminated quoted string";
  return 0;
}

}  // namespace

namespace {
bool LexAll(std::string_view in, std::vector<Token>* out, LexError* err);
}  // namespace

bool Lex(std::string_view in, std::vector<Token>* out, LexError* err) {
  if (LexAll(in, out, err)) return true;
  out->push_back(Token{Tok::kError, err->pos, {}});
  return false;
}

namespace {

bool LexAll(std::string_view in, std::vector<Token>* out, LexError* err) {
  size_t i = 0;
  int parens = 0, brackets = 0;
  bool braces = false;
  auto emit = [&](Tok k, size_t len) {
    out->push_back(Token{k, static_cast<int>(i), in.substr(i, len)});
    i += len;
  };
  while (i < in.size()) {
    char c = in[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < in.size() && in[i] != '\n') ++i;
      continue;
    }
    char n = i + 1 < in.size() ? in[i + 1] : '\0';
    if (IsDigit(c) || (c == '.' && IsDigit(n))) {
      if (size_t d = IsDigit(c) ? ScanDuration(in.substr(i)) : 0; d > 0) {
        emit(Tok::kDuration, d);
        continue;
      }
      size_t len = ScanNumber(in.substr(i));
      if (len == 0) {
        size_t j = i;
        while (j < in.size() && (IsAlnum(in[j]) || in[j] == '.')) ++j;
        *err = {static_cast<int>(i),
                absl::StrCat("bad number or duration syntax: \"", AV(in.substr(i, j - i)), "\"")};
        return false;
      }
      emit(Tok::kNumber, len);
      continue;
    }
    if (IsAlpha(c) || c == ':') {
      size_t j = i;
      bool colon = false;
      while (j < in.size() && (IsAlnum(in[j]) || in[j] == ':')) {
        colon |= in[j] == ':';
        ++j;
      }
      // ':' before a digit or ']' is the subquery step separator ([5m:1m]).
      if (c == ':' && !(IsAlpha(n) || n == ':')) {
        emit(Tok::kColon, 1);
        continue;
      }
      emit(colon ? Tok::kMetricIdentifier : Tok::kIdentifier, j - i);
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      std::string msg;
      size_t len = ScanString(in.substr(i), &msg);
      if (len == 0) {
        *err = {static_cast<int>(i), msg};
        return false;
      }
      emit(Tok::kString, len);
      continue;
    }
    switch (c) {
      case '(':
        ++parens;
        emit(Tok::kLeftParen, 1);
        continue;
      case ')':
        if (parens == 0) {
          *err = {static_cast<int>(i), "unexpected right parenthesis ')'"};
          return false;
        }
        --parens;
        emit(Tok::kRightParen, 1);
        continue;
      case '{':
        if (braces) {
          *err = {static_cast<int>(i), "unexpected left brace '{' inside braces"};
          return false;
        }
        braces = true;
        emit(Tok::kLeftBrace, 1);
        continue;
      case '}':
        if (!braces) {
          *err = {static_cast<int>(i), "unexpected right brace '}'"};
          return false;
        }
        braces = false;
        emit(Tok::kRightBrace, 1);
        continue;
      case '[':
        ++brackets;
        emit(Tok::kLeftBracket, 1);
        continue;
      case ']':
        if (brackets == 0) {
          *err = {static_cast<int>(i), "unexpected right bracket ']'"};
          return false;
        }
        --brackets;
        emit(Tok::kRightBracket, 1);
        continue;
      case ',': emit(Tok::kComma, 1); continue;
      case '@': emit(Tok::kAt, 1); continue;
      case '+': emit(Tok::kAdd, 1); continue;
      case '-': emit(Tok::kSub, 1); continue;
      case '*': emit(Tok::kMul, 1); continue;
      case '/': emit(Tok::kDiv, 1); continue;
      case '%': emit(Tok::kMod, 1); continue;
      case '^': emit(Tok::kPow, 1); continue;
      case '=':
        if (n == '=') {
          emit(Tok::kEqlC, 2);
        } else if (n == '~' && braces) {
          emit(Tok::kEqlRegex, 2);
        } else if (n == '~') {
          *err = {static_cast<int>(i), "unexpected character after '=': '~'"};
          return false;
        } else {
          emit(Tok::kAssign, 1);
        }
        continue;
      case '!':
        if (n == '=') {
          emit(Tok::kNeq, 2);
          continue;
        }
        if (n == '~' && braces) {
          emit(Tok::kNeqRegex, 2);
          continue;
        }
        *err = {static_cast<int>(i), absl::StrCat("unexpected character after '!': '", std::string(1, n), "'")};
        return false;
      case '>':
        if (n == '=') emit(Tok::kGte, 2); else emit(Tok::kGtr, 1);
        continue;
      case '<':
        if (n == '=') emit(Tok::kLte, 2); else emit(Tok::kLss, 1);
        continue;
      default: {
        std::string ch(1, c);
        *err = {static_cast<int>(i), absl::StrCat("unexpected character: '", ch, "'")};
        return false;
      }
    }
  }
  if (braces) {
    *err = {static_cast<int>(in.size()), "unexpected end of input inside braces"};
    return false;
  }
  if (parens > 0) {
    *err = {static_cast<int>(in.size()), "unclosed left parenthesis"};
    return false;
  }
  if (brackets > 0) {
    *err = {static_cast<int>(in.size()), "unclosed left bracket"};
    return false;
  }
  out->push_back(Token{Tok::kEOF, static_cast<int>(in.size()), {}});
  return true;
}

}  // namespace

std::string DescribeToken(const Token& t) {
  // As Prometheus' Item.desc(): keywords as <by>, operators as <op:+>,
  // aggregators as <aggr:sum>, punctuation quoted, literals with their kind.
  std::string txt(t.text);
  std::string lower = absl::AsciiStrToLower(AV(txt));
  auto quoted = [](std::string_view v) {
    if (v.size() > 10) return absl::StrCat(GoQuote(v.substr(0, 10)), "...");
    return GoQuote(v);
  };
  switch (t.kind) {
    case Tok::kEOF: return "end of input";
    case Tok::kError: return "error";
    case Tok::kIdentifier: {
      static const char* const kKeywords[] = {"by", "without", "on", "ignoring", "group_left", "group_right",
                                              "bool", "offset", "start", "end"};
      static const char* const kOps[] = {"and", "or", "unless", "atan2"};
      static const char* const kAggs[] = {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
                                          "topk", "bottomk", "count_values", "quantile"};
      for (const char* k : kKeywords) {
        if (lower == k) return absl::StrCat("<", txt, ">");
      }
      for (const char* k : kOps) {
        if (lower == k) return absl::StrCat("<op:", txt, ">");
      }
      for (const char* k : kAggs) {
        if (lower == k) return absl::StrCat("<aggr:", txt, ">");
      }
      return absl::StrCat("identifier ", GoQuote(txt));
    }
    case Tok::kMetricIdentifier: return absl::StrCat("metric identifier ", GoQuote(txt));
    case Tok::kNumber: return absl::StrCat("number ", quoted(txt));
    case Tok::kDuration: return absl::StrCat("duration ", quoted(txt));
    case Tok::kString: return absl::StrCat("string ", quoted(txt));
    case Tok::kLeftParen: case Tok::kRightParen: case Tok::kLeftBrace: case Tok::kRightBrace:
    case Tok::kLeftBracket: case Tok::kRightBracket: case Tok::kComma: case Tok::kColon: case Tok::kAssign:
      return GoQuote(txt);
    default:
      return absl::StrCat("<op:", txt, ">");
  }
}

}  // namespace pharos::promql::internal
