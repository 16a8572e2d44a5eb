// A template engine compatible with Go's text/template (and, in HTML mode,
// with html/template's contextual escaping) as Prometheus 2.53 and
// Alertmanager 0.25 use it: alerting rule annotations and labels, and
// notification templates.
//
// Usage:
//   TemplateSet set(TemplateOptions{.missing_key = MissingKey::kZero});
//   AddPrometheusFuncs(set, ...);           // functions before Parse
//   RETURN_IF_ERROR(set.Parse("alert", "{{ $labels.job }} is {{ $value }}",
//                             {"$labels", "$value"}));
//   std::string out;
//   RETURN_IF_ERROR(set.Execute("alert", dot, &out,
//                               {{"$labels", labels}, {"$value", value}}));
//
// Errors read as Go's: parse errors "template: NAME:LINE: message",
// execution errors "template: NAME:LINE:COL: executing \"NAME\" at <node>:
// message". Parse errors are reported by Parse, before any execution.
//
// Thread-safety: a TemplateSet is not modified by Execute; concurrent Execute
// calls on one set are safe. Parse, AddFunc and AddFuncs need exclusive
// access. Clone() is cheap (parsed trees are shared and immutable).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "template/value.h"

namespace pharos::tmpl {

struct Tree;

// Go's Option("missingkey=..."): what a missing map key evaluates to.
enum class MissingKey {
  kDefault,  // nil ("<no value>" when printed)
  kZero,     // the zero of the map's element type ("" for string maps)
  kError,    // an execution error
};

struct TemplateLimits {
  size_t max_output_bytes = 4 << 20;       // per Execute (strings made by
                                           // functions: 16 times this)
  int max_call_depth = 1000;               // nested {{template}} calls
  size_t max_range_iterations = 1000000;   // over one Execute
  size_t max_text_bytes = 4 << 20;         // per Parse
  int max_parse_depth = 1000;              // nested parentheses and controls
};

struct TemplateOptions {
  bool html = false;  // html/template's contextual escaping of action output
  MissingKey missing_key = MissingKey::kDefault;
  TemplateLimits limits;
};

// The declared type of a function parameter. The executor converts and
// checks arguments as Go's reflection does: a literal must suit the type
// ("expected string; found 1"), a value must have it ("wrong type for value;
// expected string; got float64").
enum class ArgType { kAny, kString, kFloat, kInt, kBool, kStringList };

struct Function {
  // and/or evaluate their arguments lazily (set only by the builtins).
  enum class Special { kNone, kAnd, kOr };
  Special special = Special::kNone;
  std::vector<ArgType> params;
  bool variadic = false;  // the last parameter repeats (zero or more times)
  // An error is reported as "error calling NAME: <message>".
  std::function<absl::StatusOr<Value>(std::span<const Value> args)> fn;
};

using FuncMap = std::map<std::string, Function, std::less<>>;
// Variables bound for one Execute, with their '$' ("$labels").
using Vars = std::vector<std::pair<std::string, Value>>;

class TemplateSet {
 public:
  explicit TemplateSet(TemplateOptions options = {});
  ~TemplateSet();
  TemplateSet(TemplateSet&&) noexcept;
  TemplateSet& operator=(TemplateSet&&) noexcept;

  // Adds or replaces functions. Builtins (and, or, not, len, index, slice,
  // print, printf, println, eq, ne, lt, le, gt, ge, html, js, urlquery) are
  // always present and can be overridden.
  void AddFunc(std::string name, Function f);
  void AddFuncs(const FuncMap& funcs);
  bool HasFunc(std::string_view name) const;

  // Parses `text` as the template `name`; its {{define}} and {{block}}
  // templates join the set (replacing earlier ones of the same name, as Go
  // does). `vars` are variables (with '$') the top-level text may use
  // without declaring them; Execute binds them.
  absl::Status Parse(std::string_view name, std::string_view text,
                     const std::vector<std::string>& vars = {});

  bool Has(std::string_view name) const;
  std::vector<std::string> Names() const;

  // Executes template `name` with dot = `dot`, appending to *out (not
  // null). On error *out holds what was written before the error. A limit
  // exceeded is ResourceExhausted; an unknown name NotFound; other
  // execution errors InvalidArgument.
  absl::Status Execute(std::string_view name, const Value& dot, std::string* out,
                       const Vars& vars = {}) const;
  absl::StatusOr<std::string> ExecuteToString(std::string_view name, const Value& dot,
                                              const Vars& vars = {}) const;

  // An independent copy: later Parse/AddFunc calls on either do not affect
  // the other.
  TemplateSet Clone() const;

  const TemplateOptions& options() const { return options_; }

 private:
  friend class Executor;
  TemplateOptions options_;
  FuncMap funcs_;
  std::map<std::string, std::shared_ptr<Tree>, std::less<>> trees_;
};

// Helpers for functions: Go's string conversion of a value for the
// functions that take interface{} (fmt.Sprint).
std::string ToPrintString(const Value& v);

}  // namespace pharos::tmpl
