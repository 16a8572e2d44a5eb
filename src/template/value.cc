#include "template/value.h"

#include "common/float_format.h"

namespace pharos::tmpl {

namespace {
const std::string& EmptyString() {
  static const std::string* s = new std::string;
  return *s;
}
const ValueList& EmptyList() {
  static const ValueList* l = new ValueList;
  return *l;
}
const ValueMap& EmptyMap() {
  static const ValueMap* m = new ValueMap;
  return *m;
}
}  // namespace

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.d_ = d;
  return v;
}

Value Value::String(std::string s, StringKind kind) {
  Value v;
  v.kind_ = Kind::kString;
  v.skind_ = kind;
  v.s_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::List(ValueList items, ElemType elem) {
  Value v;
  v.kind_ = Kind::kList;
  v.elem_ = elem;
  v.list_ = std::make_shared<const ValueList>(std::move(items));
  return v;
}

Value Value::StringList(const std::vector<std::string>& items) {
  ValueList l;
  l.reserve(items.size());
  for (const auto& s : items) l.push_back(String(s));
  return List(std::move(l), ElemType::kString);
}

Value Value::Map(ValueMap items, ElemType elem) {
  Value v;
  v.kind_ = Kind::kMap;
  v.elem_ = elem;
  v.map_ = std::make_shared<const ValueMap>(std::move(items));
  return v;
}

Value Value::StringMap(const std::map<std::string, std::string>& items) {
  ValueMap m;
  for (const auto& [k, s] : items) m.emplace(k, String(s));
  return Map(std::move(m), ElemType::kString);
}

Value Value::FromObject(std::shared_ptr<const Object> obj) {
  Value v;
  if (obj == nullptr) return v;
  v.kind_ = Kind::kObject;
  v.obj_ = std::move(obj);
  return v;
}

const std::string& Value::AsString() const { return s_ ? *s_ : EmptyString(); }
const ValueList& Value::AsList() const { return list_ ? *list_ : EmptyList(); }
const ValueMap& Value::AsMap() const { return map_ ? *map_ : EmptyMap(); }

const Value* Value::Collection() const {
  if (kind_ == Kind::kList || kind_ == Kind::kMap) return this;
  if (kind_ == Kind::kObject) {
    const Value* u = obj_->Underlying();
    if (u != nullptr && (u->kind_ == Kind::kList || u->kind_ == Kind::kMap)) return u;
  }
  return nullptr;
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kNil:
      return "<nil>";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return skind_ == StringKind::kHTML ? "template.HTML" : "string";
    case Kind::kList:
      return elem_ == ElemType::kString ? "[]string" : "[]interface {}";
    case Kind::kMap:
      return elem_ == ElemType::kString ? "map[string]string" : "map[string]interface {}";
    case Kind::kObject:
      return obj_->TypeName();
  }
  return "?";
}

std::optional<absl::StatusOr<Value>> StructObject::Member(std::string_view name,
                                                          std::span<const Value> args) const {
  const Value* f = Field(name);
  if (f == nullptr) return std::nullopt;
  return absl::StatusOr<Value>(*f);
}

const Value* StructObject::Field(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string StructObject::Print() const {
  std::string out = "{";
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ' ';
    AppendPrintValue(out, fields_[i].second);
  }
  out += '}';
  return out;
}

void AppendPrintValue(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      out += "<nil>";
      return;
    case Value::Kind::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.AsInt());
      return;
    case Value::Kind::kFloat:
      out += FormatFloatGoV(v.AsFloat());
      return;
    case Value::Kind::kString:
      out += v.AsString();
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const auto& e : v.AsList()) {
        if (!first) out += ' ';
        first = false;
        AppendPrintValue(out, e);
      }
      out += ']';
      return;
    }
    case Value::Kind::kMap: {
      out += "map[";
      bool first = true;
      for (const auto& [k, e] : v.AsMap()) {
        if (!first) out += ' ';
        first = false;
        out += k;
        out += ':';
        AppendPrintValue(out, e);
      }
      out += ']';
      return;
    }
    case Value::Kind::kObject:
      out += v.AsObject()->Print();
      return;
  }
}

std::string PrintValue(const Value& v) {
  std::string s;
  AppendPrintValue(s, v);
  return s;
}

bool IsTrue(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNil:
      return false;
    case Value::Kind::kBool:
      return v.AsBool();
    case Value::Kind::kInt:
      return v.AsInt() != 0;
    case Value::Kind::kFloat:
      return v.AsFloat() != 0;
    case Value::Kind::kString:
      return !v.AsString().empty();
    case Value::Kind::kList:
      return !v.AsList().empty();
    case Value::Kind::kMap:
      return !v.AsMap().empty();
    case Value::Kind::kObject: {
      const Value* c = v.Collection();
      return c == nullptr || IsTrue(*c);
    }
  }
  return false;
}

}  // namespace pharos::tmpl
