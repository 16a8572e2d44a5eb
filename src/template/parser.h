// Parser for Go's text/template syntax (internal to the template domain).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "template/ast.h"

namespace pharos::tmpl {

struct ParseInput {
  std::string name;  // the template the top-level text becomes
  std::shared_ptr<const std::string> text;
  // Whether a function name is defined (Go rejects unknown functions at
  // parse time).
  std::function<bool(std::string_view)> has_func;
  // Variables visible to the top-level text besides "$" (e.g. "$labels").
  std::vector<std::string> predeclared_vars;
  int max_depth = 1000;  // nesting of parentheses and control structures
};

// Parses into `trees` (by name): the top-level text and every {{define}} /
// {{block}}. Errors read "template: NAME:LINE: message" as Go's do.
absl::Status ParseTemplates(const ParseInput& in, std::map<std::string, std::shared_ptr<Tree>, std::less<>>* trees);

}  // namespace pharos::tmpl
