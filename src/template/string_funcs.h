// Template functions shared by the Prometheus and Alertmanager sets
// (internal to the template domain).
#pragma once

#include <string>
#include <string_view>

#include "template/template.h"

namespace pharos::tmpl {

// ASCII case mapping (strings.ToUpper/ToLower on ASCII text; other bytes
// are left alone).
std::string AsciiUpper(std::string_view s);
std::string AsciiLower(std::string_view s);

// golang.org/x/text/cases Title: the first letter of each word upper case;
// lower_rest also lower-cases the rest of the word (Alertmanager's title),
// otherwise it is kept (Prometheus' title, cases.NoLower).
std::string TitleCase(std::string_view s, bool lower_rest);

// regexp.MustCompile(pattern).ReplaceAllString(text, repl), with Go's
// $1 / ${name} expansion and empty-match rules.
absl::StatusOr<std::string> RegexReplaceAll(std::string_view pattern, std::string_view repl, std::string_view text);
// regexp.MatchString(pattern, s).
absl::StatusOr<bool> RegexMatch(std::string_view pattern, std::string_view s);

// Functions both sets have: toUpper, toLower, match, reReplaceAll, safeHtml.
void AddCommonStringFuncs(FuncMap& m);

}  // namespace pharos::tmpl
