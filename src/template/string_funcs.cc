#include "template/string_funcs.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "re2/re2.h"

namespace pharos::tmpl {
namespace {

bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}

absl::StatusOr<std::unique_ptr<RE2>> Compile(std::string_view pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (!re->ok()) {
    return absl::InvalidArgumentError(absl::StrCat("regexp: Compile(`", AV(pattern),
                                                   "`): error parsing regexp: ", re->error()));
  }
  return re;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Go's Regexp.expand for ReplaceAllString: $name, ${name}, $$.
void Expand(std::string& out, std::string_view repl, const RE2& re, const std::vector<re2::StringPiece>& groups) {
  const auto& names = re.NamedCapturingGroups();
  for (size_t i = 0; i < repl.size();) {
    char c = repl[i];
    if (c != '$' || i + 1 >= repl.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (repl[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    std::string name;
    size_t j = i + 1;
    if (repl[j] == '{') {
      size_t close = repl.find('}', j);
      bool ok = close != std::string_view::npos && close > j + 1;
      if (ok) {
        for (size_t k = j + 1; k < close; ++k) ok = ok && IsNameChar(repl[k]);
      }
      if (!ok) {
        out.push_back('$');
        ++i;
        continue;
      }
      name = std::string(repl.substr(j + 1, close - j - 1));
      j = close + 1;
    } else {
      size_t k = j;
      while (k < repl.size() && IsNameChar(repl[k])) ++k;
      if (k == j) {
        out.push_back('$');
        ++i;
        continue;
      }
      name = std::string(repl.substr(j, k - j));
      j = k;
    }
    i = j;
    int index = -1;
    bool numeric = !name.empty();
    for (char d : name) numeric = numeric && d >= '0' && d <= '9';
    if (numeric) {
      if (name.size() < 10) index = std::stoi(name);
    } else {
      auto it = names.find(name);
      if (it != names.end()) index = it->second;
    }
    if (index >= 0 && static_cast<size_t>(index) < groups.size() && groups[index].data() != nullptr) {
      out.append(groups[index].data(), groups[index].size());
    }
  }
}

}  // namespace

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string TitleCase(std::string_view s, bool lower_rest) {
  std::string out(s);
  bool in_word = false;
  for (char& ch : out) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool word = IsWordChar(c);
    if (word && !in_word) {
      if (c >= 'a' && c <= 'z') ch = static_cast<char>(c - 'a' + 'A');
    } else if (word && lower_rest) {
      if (c >= 'A' && c <= 'Z') ch = static_cast<char>(c - 'A' + 'a');
    }
    in_word = word;
  }
  return out;
}

absl::StatusOr<std::string> RegexReplaceAll(std::string_view pattern, std::string_view repl, std::string_view text) {
  auto re = Compile(pattern);
  if (!re.ok()) return re.status();
  int ngroups = (*re)->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups));
  re2::StringPiece src(text.data(), text.size());
  std::string out;
  size_t last_end = 0;
  size_t search = 0;
  while (search <= text.size()) {
    if (!(*re)->Match(src, search, text.size(), RE2::UNANCHORED, groups.data(), ngroups)) break;
    size_t a0 = static_cast<size_t>(groups[0].data() - text.data());
    size_t a1 = a0 + groups[0].size();
    out.append(text.substr(last_end, a0 - last_end));
    // No replacement for an empty match right after the previous match.
    if (a1 > last_end || a0 == 0) Expand(out, repl, **re, groups);
    last_end = a1;
    size_t width = 0;
    if (search < text.size()) {
      width = static_cast<unsigned char>(text[search]) < 0x80 ? 1 : Utf8SequenceLength(text, search);
      if (width == 0) width = 1;
    }
    if (search + width > a1) {
      search += width;
    } else if (search + 1 > a1) {
      ++search;
    } else {
      search = a1;
    }
  }
  out.append(text.substr(std::min(last_end, text.size())));
  return out;
}

absl::StatusOr<bool> RegexMatch(std::string_view pattern, std::string_view s) {
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (!re.ok()) return absl::InvalidArgumentError(absl::StrCat("error parsing regexp: ", re.error()));
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
}

void AddCommonStringFuncs(FuncMap& m) {
  auto str1 = [](std::function<std::string(std::string_view)> f) {
    Function fn;
    fn.params = {ArgType::kString};
    fn.fn = [f](std::span<const Value> a) -> absl::StatusOr<Value> { return Value::String(f(a[0].AsString())); };
    return fn;
  };
  m["toUpper"] = str1(AsciiUpper);
  m["toLower"] = str1(AsciiLower);
  Function match;
  match.params = {ArgType::kString, ArgType::kString};
  match.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = RegexMatch(a[0].AsString(), a[1].AsString());
    if (!r.ok()) return r.status();
    return Value::Bool(*r);
  };
  m["match"] = match;
  Function re;
  re.params = {ArgType::kString, ArgType::kString, ArgType::kString};
  re.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = RegexReplaceAll(a[0].AsString(), a[1].AsString(), a[2].AsString());
    if (!r.ok()) return r.status();
    return Value::String(*std::move(r));
  };
  m["reReplaceAll"] = re;
  Function safe;
  safe.params = {ArgType::kString};
  safe.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(a[0].AsString(), StringKind::kHTML);
  };
  m["safeHtml"] = safe;
}

}  // namespace pharos::tmpl
