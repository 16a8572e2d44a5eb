// Go text/template's predefined functions (internal to the template domain).
#pragma once

#include <string>
#include <string_view>

#include "template/template.h"

namespace pharos::tmpl {

FuncMap BuiltinFuncs();

// text/template's escapers (also used by Prometheus' functions).
std::string HtmlEscapeString(std::string_view s);
std::string JsEscapeString(std::string_view s);
std::string UrlQueryEscape(std::string_view s);

// Go's comparison rules behind eq/lt; errors are Go's messages
// ("incompatible types for comparison").
absl::StatusOr<bool> GoEq(const Value& a, std::span<const Value> others);
absl::StatusOr<bool> GoLt(const Value& a, const Value& b);

}  // namespace pharos::tmpl
