#include "template/lexer.h"

#include <cstdio>

#include "common/go_quote.h"
#include "common/utf8.h"

namespace pharos::tmpl {
namespace {

constexpr std::string_view kLeft = "{{";
constexpr std::string_view kRight = "}}";
constexpr size_t kTrimLen = 2;  // "- " or " -"

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Letters, digits and '_'; bytes of multi-byte UTF-8 sequences count as
// letters (Go accepts Unicode letters and digits in identifiers).
bool IsAlnum(int c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c >= 0x80;
}

// Go's %#U: U+0023 '#'.
std::string RuneDescr(std::string_view s, size_t i) {
  uint32_t r = static_cast<unsigned char>(s[i]);
  size_t n = r < 0x80 ? 1 : Utf8SequenceLength(s, i);
  if (n == 0) {
    r = 0xFFFD;
    n = 1;
  } else if (n == 2) {
    r = ((r & 0x1F) << 6) | (s[i + 1] & 0x3F);
  } else if (n == 3) {
    r = ((r & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
  } else if (n == 4) {
    r = ((r & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "U+%04X", r);
  std::string out = buf;
  bool printable = r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) && r != 0xFFFD;
  if (printable) {
    out += " '";
    out.append(s.substr(i, n));
    out += "'";
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view in) : in_(in) {}

  std::vector<Token> Run() {
    bool ok = LexText();
    while (ok) {
      ok = inside_ ? LexInsideAction() : LexText();
    }
    return std::move(out_);
  }

 private:
  int LineAt(size_t pos) {
    // Lines are counted incrementally: positions only grow.
    while (line_pos_ < pos && line_pos_ < in_.size()) {
      if (in_[line_pos_] == '\n') ++line_;
      ++line_pos_;
    }
    return line_;
  }

  void Emit(Tok t) {
    Token tok;
    tok.type = t;
    tok.pos = start_;
    tok.line = LineAt(start_);
    tok.val = std::string(in_.substr(start_, pos_ - start_));
    out_.push_back(std::move(tok));
    start_ = pos_;
  }

  bool Error(std::string msg) {
    Token tok;
    tok.type = Tok::kError;
    tok.pos = start_;
    tok.line = LineAt(start_);
    tok.val = std::move(msg);
    out_.push_back(std::move(tok));
    return false;
  }

  int Peek() const { return pos_ < in_.size() ? static_cast<unsigned char>(in_[pos_]) : -1; }
  bool HasLeftTrim(std::string_view s) const { return s.size() >= 2 && s[0] == '-' && IsSpace(s[1]); }
  bool HasRightTrim(std::string_view s) const { return s.size() >= 2 && IsSpace(s[0]) && s[1] == '-'; }

  // At a right delimiter (optionally trim-marked)? Sets *trim.
  bool AtRightDelim(bool* trim) const {
    std::string_view rest = in_.substr(pos_);
    if (HasRightTrim(rest) && rest.substr(kTrimLen).starts_with(kRight)) {
      *trim = true;
      return true;
    }
    *trim = false;
    return rest.starts_with(kRight);
  }

  bool AtTerminator() const {
    int r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case -1: case '.': case ',': case '|': case ':': case ')': case '(':
        return true;
      default:
        break;
    }
    return in_.substr(pos_).starts_with(kRight);
  }

  static size_t LeftTrimLength(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && IsSpace(static_cast<unsigned char>(s[i]))) ++i;
    return i;
  }

  bool LexText() {
    size_t x = in_.find(kLeft, pos_);
    if (x == std::string_view::npos) {
      pos_ = in_.size();
      if (pos_ > start_) Emit(Tok::kText);
      Emit(Tok::kEOF);
      return false;
    }
    pos_ = x;
    size_t trim_len = 0;
    if (HasLeftTrim(in_.substr(x + kLeft.size()))) {
      size_t end = x;
      while (end > start_ && IsSpace(static_cast<unsigned char>(in_[end - 1]))) --end;
      trim_len = x - end;
    }
    pos_ = x - trim_len;
    if (pos_ > start_) Emit(Tok::kText);
    pos_ = x;
    start_ = pos_;
    return LexLeftDelim();
  }

  bool LexLeftDelim() {
    pos_ += kLeft.size();
    bool trim = HasLeftTrim(in_.substr(pos_));
    size_t after = trim ? kTrimLen : 0;
    if (in_.substr(pos_ + after).starts_with("/*")) {
      pos_ += after;
      start_ = pos_;
      return LexComment();
    }
    Emit(Tok::kLeftDelim);
    pos_ += after;
    start_ = pos_;
    paren_depth_ = 0;
    inside_ = true;
    return true;
  }

  bool LexComment() {
    pos_ += 2;
    size_t x = in_.find("*/", pos_);
    if (x == std::string_view::npos) return Error("unclosed comment");
    pos_ = x + 2;
    bool trim = false;
    if (!AtRightDelim(&trim)) return Error("comment ends before closing delimiter");
    if (trim) pos_ += kTrimLen;
    pos_ += kRight.size();
    if (trim) pos_ += LeftTrimLength(in_.substr(pos_));
    start_ = pos_;
    return true;
  }

  bool LexRightDelim() {
    bool trim = false;
    AtRightDelim(&trim);
    if (trim) {
      pos_ += kTrimLen;
      start_ = pos_;
    }
    pos_ += kRight.size();
    Emit(Tok::kRightDelim);
    if (trim) {
      pos_ += LeftTrimLength(in_.substr(pos_));
      start_ = pos_;
    }
    inside_ = false;
    return true;
  }

  bool LexInsideAction() {
    bool trim = false;
    if (AtRightDelim(&trim)) {
      if (paren_depth_ == 0) return LexRightDelim();
      return Error("unclosed left paren");
    }
    if (pos_ >= in_.size()) return Error("unclosed action");
    int r = static_cast<unsigned char>(in_[pos_]);
    if (IsSpace(r)) return LexSpace();
    ++pos_;
    switch (r) {
      case '=':
        Emit(Tok::kAssign);
        return true;
      case ':':
        if (Peek() != '=') {
          if (pos_ < in_.size()) ++pos_;
          return Error("expected :=");
        }
        ++pos_;
        Emit(Tok::kDeclare);
        return true;
      case '|':
        Emit(Tok::kPipe);
        return true;
      case '"':
        return LexQuote();
      case '`':
        return LexRawQuote();
      case '$':
        return LexVariable();
      case '\'':
        return LexChar();
      case '(':
        ++paren_depth_;
        Emit(Tok::kLeftParen);
        return true;
      case ')':
        --paren_depth_;
        if (paren_depth_ < 0) return Error("unexpected right paren");
        Emit(Tok::kRightParen);
        return true;
      default:
        break;
    }
    if (r == '.') {
      int n = Peek();
      if (n < '0' || n > '9') return LexFieldOrVariable(Tok::kField);
    }
    if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      --pos_;
      return LexNumber();
    }
    if (IsAlnum(r)) {
      --pos_;
      return LexIdentifier();
    }
    if (r < 0x80 && r >= 0x20 && r != 0x7f) {
      Emit(Tok::kChar);
      return true;
    }
    return Error("unrecognized character in action: " + RuneDescr(in_, pos_ - 1));
  }

  bool LexSpace() {
    size_t n = 0;
    while (IsSpace(Peek())) {
      ++pos_;
      ++n;
    }
    // A trim-marked right delimiter has a minus after a space.
    std::string_view rest = in_.substr(pos_ - 1);
    if (HasRightTrim(rest) && rest.substr(kTrimLen).starts_with(kRight)) {
      --pos_;
      if (n == 1) return LexRightDelim();
    }
    Emit(Tok::kSpace);
    return true;
  }

  bool LexIdentifier() {
    while (IsAlnum(Peek())) ++pos_;
    std::string_view word = in_.substr(start_, pos_ - start_);
    if (!AtTerminator()) return Error("bad character " + RuneDescr(in_, pos_));
    static const std::pair<std::string_view, Tok> kKeywords[] = {
        {"block", Tok::kBlock}, {"break", Tok::kBreak}, {"continue", Tok::kContinue},
        {"define", Tok::kDefine}, {"else", Tok::kElse}, {"end", Tok::kEnd},
        {"if", Tok::kIf}, {"range", Tok::kRange}, {"nil", Tok::kNil},
        {"template", Tok::kTemplate}, {"with", Tok::kWith},
    };
    for (const auto& [k, t] : kKeywords) {
      if (word == k) {
        Emit(t);
        return true;
      }
    }
    Emit(word == "true" || word == "false" ? Tok::kBool : Tok::kIdentifier);
    return true;
  }

  bool LexFieldOrVariable(Tok t) {
    if (AtTerminator()) {
      Emit(t == Tok::kVariable ? Tok::kVariable : Tok::kDot);
      return true;
    }
    while (IsAlnum(Peek())) ++pos_;
    if (!AtTerminator()) return Error("bad character " + RuneDescr(in_, pos_));
    Emit(t);
    return true;
  }

  bool LexVariable() {
    if (AtTerminator()) {
      Emit(Tok::kVariable);
      return true;
    }
    return LexFieldOrVariable(Tok::kVariable);
  }

  bool LexChar() {
    for (;;) {
      int c = Peek();
      if (c == -1 || c == '\n') return Error("unterminated character constant");
      ++pos_;
      if (c == '\\') {
        int d = Peek();
        if (d == -1 || d == '\n') return Error("unterminated character constant");
        ++pos_;
      } else if (c == '\'') {
        break;
      }
    }
    Emit(Tok::kCharConstant);
    return true;
  }

  bool LexQuote() {
    for (;;) {
      int c = Peek();
      if (c == -1 || c == '\n') return Error("unterminated quoted string");
      ++pos_;
      if (c == '\\') {
        int d = Peek();
        if (d == -1 || d == '\n') return Error("unterminated quoted string");
        ++pos_;
      } else if (c == '"') {
        break;
      }
    }
    Emit(Tok::kString);
    return true;
  }

  bool LexRawQuote() {
    size_t x = in_.find('`', pos_);
    if (x == std::string_view::npos) return Error("unterminated raw quoted string");
    pos_ = x + 1;
    Emit(Tok::kRawString);
    return true;
  }

  bool Accept(std::string_view set) {
    int c = Peek();
    if (c != -1 && set.find(static_cast<char>(c)) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  void AcceptRun(std::string_view set) {
    while (Accept(set)) {
    }
  }

  bool LexNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlnum(Peek())) {
      ++pos_;
      return Error("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
    }
    if (Peek() == '+' || Peek() == '-') {
      // Complex constants (1+2i) are scanned as one token.
      size_t save = pos_;
      ++pos_;
      AcceptRun("0123456789_.eE");
      if (!Accept("i")) {
        pos_ = save;
      }
    }
    Emit(Tok::kNumber);
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t start_ = 0;
  bool inside_ = false;
  int paren_depth_ = 0;
  size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<Token> out_;
};

}  // namespace

std::string TokenString(const Token& t) {
  if (t.type == Tok::kEOF) return "EOF";
  if (t.type == Tok::kError) return t.val;
  if (t.type >= Tok::kBlock) return "<" + t.val + ">";
  // %.10q: the first 10 characters, quoted, then "...".
  size_t runes = 0, i = 0;
  for (; i < t.val.size(); ++i) {
    if ((static_cast<unsigned char>(t.val[i]) & 0xC0) != 0x80) {
      if (runes == 10) break;
      ++runes;
    }
  }
  if (i < t.val.size()) return GoQuote(std::string_view(t.val).substr(0, i)) + "...";
  return GoQuote(t.val);
}

std::vector<Token> Lex(std::string_view input) { return Lexer(input).Run(); }

}  // namespace pharos::tmpl
