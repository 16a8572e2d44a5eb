// The dynamic values templates work on: what Go's reflection sees through
// interface{} in text/template, reduced to the kinds Prometheus' and
// Alertmanager's template data use.
//
// A Value is immutable and cheap to copy (lists, maps and objects are shared).
// Go's static types matter for some template rules (eq refuses int vs
// float64, a missing key of a map[string]string is "" while one of a
// map[string]interface{} is <no value>), so lists and maps remember whether
// their elements are all strings, and objects name their Go type.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace pharos::tmpl {

class Value;
class Object;

using ValueList = std::vector<Value>;
using ValueMap = std::map<std::string, Value, std::less<>>;  // sorted: Go's fmt and range sort keys

// Whether a list or map is Go's []string / map[string]string (elements are
// strings, a missing key reads as "") or []interface{} / map[string]interface{}.
enum class ElemType : uint8_t { kAny, kString };

// The content type of a string, as html/template's typed strings
// (template.HTML from safeHtml is written without escaping in HTML mode).
enum class StringKind : uint8_t { kPlain, kHTML };

class Value {
 public:
  enum class Kind : uint8_t { kNil, kBool, kInt, kFloat, kString, kList, kMap, kObject };

  Value() = default;  // nil
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s, StringKind kind = StringKind::kPlain);
  static Value List(ValueList items, ElemType elem = ElemType::kAny);
  static Value StringList(const std::vector<std::string>& items);
  static Value Map(ValueMap items, ElemType elem = ElemType::kAny);
  static Value StringMap(const std::map<std::string, std::string>& items);
  static Value FromObject(std::shared_ptr<const Object> obj);

  Kind kind() const { return kind_; }
  bool is_nil() const { return kind_ == Kind::kNil; }
  bool AsBool() const { return b_; }
  int64_t AsInt() const { return i_; }
  double AsFloat() const { return d_; }
  const std::string& AsString() const;
  StringKind string_kind() const { return skind_; }
  const ValueList& AsList() const;
  const ValueMap& AsMap() const;
  ElemType elem_type() const { return elem_; }
  const Object* AsObject() const { return obj_.get(); }
  const std::shared_ptr<const Object>& object_ptr() const { return obj_; }

  // The list or map this value behaves as for range, len, index and map-key
  // fields: itself, or an object's underlying collection; nullptr otherwise.
  const Value* Collection() const;

  // Go's name of the dynamic type, for error messages: "string", "float64",
  // "int", "bool", "[]interface {}", "map[string]string", "template.Alert".
  std::string TypeName() const;

 private:
  Kind kind_ = Kind::kNil;
  bool b_ = false;
  StringKind skind_ = StringKind::kPlain;
  ElemType elem_ = ElemType::kAny;
  int64_t i_ = 0;
  double d_ = 0;
  std::shared_ptr<const std::string> s_;
  std::shared_ptr<const ValueList> list_;
  std::shared_ptr<const ValueMap> map_;
  std::shared_ptr<const Object> obj_;
};

// A Go struct or named type with fields and methods (Alertmanager's Data,
// Alert, KV, Pairs; Prometheus' sample; time.Time).
class Object {
 public:
  virtual ~Object() = default;
  // Go's type name for messages ("template.Alert").
  virtual std::string TypeName() const = 0;
  // Field or method `name` called with `args` (empty for fields and niladic
  // methods). nullopt when the type has no such field or method; an error
  // status when a method fails (reported as "error calling NAME: ...").
  virtual std::optional<absl::StatusOr<Value>> Member(std::string_view name,
                                                      std::span<const Value> args) const = 0;
  // Whether `name` is a method (it may take arguments) rather than a field.
  virtual bool IsMethod(std::string_view name) const { return false; }
  // The list or map the type is (Go's `type Alerts []Alert`), or nullptr.
  virtual const Value* Underlying() const { return nullptr; }
  // What fmt prints for %v (a String() method, or Go's struct form).
  virtual std::string Print() const = 0;
};

// A struct with named fields in declaration order, printed as Go's %v prints
// a struct: {v1 v2 ...}.
class StructObject : public Object {
 public:
  StructObject(std::string type_name, std::vector<std::pair<std::string, Value>> fields)
      : type_name_(std::move(type_name)), fields_(std::move(fields)) {}
  std::string TypeName() const override { return type_name_; }
  std::optional<absl::StatusOr<Value>> Member(std::string_view name,
                                              std::span<const Value> args) const override;
  std::string Print() const override;
  const Value* Field(std::string_view name) const;

 private:
  std::string type_name_;
  std::vector<std::pair<std::string, Value>> fields_;
};

// fmt's %v of a value ("<nil>" for nil, map[a:1 b:2], [x y], {f1 f2}).
std::string PrintValue(const Value& v);
void AppendPrintValue(std::string& out, const Value& v);

// text/template's truth: false, 0, "", nil and empty collections are false.
bool IsTrue(const Value& v);

}  // namespace pharos::tmpl
