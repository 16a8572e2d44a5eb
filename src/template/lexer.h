// Tokenizer for Go's text/template syntax ({{ }} actions, trim markers,
// comments, strings, numbers, fields, variables, keywords), following the
// token rules of Go's text/template/parse lexer so that errors come out with
// the same words.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pharos::tmpl {

enum class Tok {
  kError,
  kBool,
  kChar,  // a printable ASCII character such as ','
  kCharConstant,
  kComment,
  kAssign,
  kDeclare,
  kEOF,
  kField,
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  // Keywords (printed as <word> in messages).
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  Tok type = Tok::kEOF;
  size_t pos = 0;   // byte offset in the input
  int line = 1;     // 1-based line of the token's start
  std::string val;  // the token's text, or the error message
};

// Go's item.String(): EOF, the error text, <keyword>, or the quoted text
// (cut to 10 characters and "...").
std::string TokenString(const Token& t);

// Splits `input` into tokens, ending with kEOF or a kError token.
std::vector<Token> Lex(std::string_view input);

}  // namespace pharos::tmpl
