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

// Tokenizes all of `input` (comments skipped). On failure returns false and
// fills `err`.
bool Lex(std::string_view input, std::vector<Token>* out, LexError* err);

// How a parse error names a token: `identifier "foo"`, `number "1"`, "end of input"...
std::string DescribeToken(const Token& t);

}  // namespace pharos::promql::internal
