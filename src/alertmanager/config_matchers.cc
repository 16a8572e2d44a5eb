#include "alertmanager/config_matchers.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"

namespace pharos::am {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

absl::StatusOr<Matcher> ParseAmMatcher(std::string_view s) {
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("bad matcher format: ", AV(s))); };
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  size_t name_begin = i;
  if (i >= s.size() || !IsNameStart(s[i])) return bad();
  while (i < s.size() && IsNameChar(s[i])) ++i;
  std::string_view name = s.substr(name_begin, i - name_begin);
  while (i < s.size() && IsSpace(s[i])) ++i;
  MatchType type;
  std::string_view rest = s.substr(i);
  if (rest.starts_with("=~")) {
    type = MatchType::kRegexMatch;
    i += 2;
  } else if (rest.starts_with("=")) {
    type = MatchType::kEqual;
    i += 1;
  } else if (rest.starts_with("!=")) {
    type = MatchType::kNotEqual;
    i += 2;
  } else if (rest.starts_with("!~")) {
    type = MatchType::kRegexNoMatch;
    i += 2;
  } else {
    return bad();
  }
  while (i < s.size() && IsSpace(s[i])) ++i;
  size_t end = s.size();
  while (end > i && IsSpace(s[end - 1])) --end;
  const std::string_view raw_full = s.substr(i, end - i);  // what messages quote

  std::string_view raw = raw_full;
  bool expect_trailing_quote = false;
  if (raw.starts_with("\"")) {
    raw.remove_prefix(1);
    expect_trailing_quote = true;
  }
  if (!IsValidUtf8(raw)) {
    return absl::InvalidArgumentError(absl::StrCat("matcher value not valid UTF-8: ", AV(raw_full)));
  }
  auto unescaped_quote = [&] {
    return absl::InvalidArgumentError(absl::StrCat("matcher value contains unescaped double quote: ", AV(raw_full)));
  };
  std::string value;
  bool escaped = false;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (escaped) {
      escaped = false;
      if (c == 'n') {
        value.push_back('\n');
      } else if (c == '"' || c == '\\') {
        value.push_back(c);
      } else {
        value.push_back('\\');  // a spurious escape stays literal
        value.push_back(c);
      }
      continue;
    }
    if (c == '\\') {
      if (k + 1 < raw.size()) {
        escaped = true;
        continue;
      }
      value.push_back('\\');
    } else if (c == '"') {
      if (!expect_trailing_quote || k + 1 < raw.size()) return unescaped_quote();
      expect_trailing_quote = false;
    } else {
      value.push_back(c);
    }
  }
  if (expect_trailing_quote) return unescaped_quote();
  return Matcher::Make(type, name, value);
}

absl::StatusOr<Matchers> ParseAmMatchers(std::string_view s) {
  if (s.starts_with("{")) s.remove_prefix(1);
  if (s.ends_with("}")) s.remove_suffix(1);
  std::vector<std::string> tokens;
  std::string token;
  bool inside_quotes = false, escaped = false;
  for (char c : s) {
    if (c == ',') {
      if (!inside_quotes) {
        tokens.push_back(std::move(token));
        token.clear();
        continue;
      }
    } else if (c == '"') {
      if (!escaped) {
        inside_quotes = !inside_quotes;
      } else {
        escaped = false;
      }
    } else if (c == '\\') {
      escaped = !escaped;
    } else {
      escaped = false;
    }
    token.push_back(c);
  }
  {
    std::string_view last = token;
    while (!last.empty() && IsSpace(last.front())) last.remove_prefix(1);
    while (!last.empty() && IsSpace(last.back())) last.remove_suffix(1);
    if (!last.empty()) tokens.emplace_back(last);
  }
  Matchers out;
  for (const std::string& t : tokens) {
    auto m = ParseAmMatcher(t);
    if (!m.ok()) return m.status();
    out.push_back(*std::move(m));
  }
  return out;
}

void SortAmMatchers(Matchers* ms) {
  std::stable_sort(ms->begin(), ms->end(), [](const Matcher& a, const Matcher& b) {
    if (a.name() != b.name()) return a.name() < b.name();
    if (a.value() != b.value()) return a.value() < b.value();
    return a.type() < b.type();
  });
}

}  // namespace pharos::am
