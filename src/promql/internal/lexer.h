// PromQL tokenizer. Keywords are lexed as identifiers; the parser decides by
// context (Prometheus lets keywords be label names and, in places, metric
// names). Bounded: one pass over the input, no recursion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pharos::promql::internal {

enum class Tok {
  kEOF,
  kError,            // a lexing error; the parser reports it when it reaches it
  kIdentifier,        // [a-zA-Z_][a-zA-Z0-9_]*
  kMetricIdentifier,  // with at least one ':'
  kNumber,
  kDuration,
  kString,            // text includes the quotes
  kLeftParen, kRightParen, kLeftBrace, kRightBrace, kLeftBracket, kRightBracket,
  kComma, kColon, kAt,
  kAssign,    // =
  kEqlC,      // ==
  kNeq,       // !=
  kEqlRegex,  // =~
  kNeqRegex,  // !~
  kAdd, kSub, kMul, kDiv, kMod, kPow, kGtr, kLss, kGte, kLte,
};

struct Token {
  Tok kind;
  int pos;  // byte offset
  std::string_view text;
};

struct LexError {
  int pos;
  std::string message;
};

// Tokenizes all of `input` (comments skipped). On failure returns false,
// fills `err` and ends `out` with a kError token at the error's position, so
// that a parser meets the error where Prometheus' incremental lexer would.
// Like Prometheus' lexer it tracks brackets: an unmatched ')' or ']' and end
// of input with open parentheses, brackets or braces are errors.
bool Lex(std::string_view input, std::vector<Token>* out, LexError* err);

// How a parse error names a token: `identifier "foo"`, `number "1"`, "end of input"...
std::string DescribeToken(const Token& t);

}  // namespace pharos::promql::internal
