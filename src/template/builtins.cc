#include "template/builtins.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "template/go_fmt.h"

namespace pharos::tmpl {
namespace {

enum class BasicKind { kInvalid, kBool, kInt, kFloat, kString };

BasicKind KindOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool: return BasicKind::kBool;
    case Value::Kind::kInt: return BasicKind::kInt;
    case Value::Kind::kFloat: return BasicKind::kFloat;
    case Value::Kind::kString: return BasicKind::kString;
    default: return BasicKind::kInvalid;
  }
}

absl::Status BadComparison() { return absl::InvalidArgumentError("incompatible types for comparison"); }
absl::Status BadComparisonType() { return absl::InvalidArgumentError("invalid type for comparison"); }

// What html, js and urlquery escape: a single string as it is, otherwise
// fmt.Sprint of the arguments with nil printed as <no value>.
std::string EvalArgs(std::span<const Value> args) {
  if (args.size() == 1 && args[0].kind() == Value::Kind::kString) return args[0].AsString();
  std::vector<Value> printable(args.begin(), args.end());
  for (auto& a : printable) {
    if (a.is_nil()) a = Value::String("<no value>");
  }
  return GoSprint(printable);
}

absl::StatusOr<int64_t> IndexArg(const Value& index, size_t cap) {
  if (index.kind() == Value::Kind::kNil) return absl::InvalidArgumentError("cannot index slice/array with nil");
  if (index.kind() != Value::Kind::kInt) {
    return absl::InvalidArgumentError("cannot index slice/array with type " + index.TypeName());
  }
  int64_t x = index.AsInt();
  if (x < 0 || static_cast<uint64_t>(x) > cap) return absl::InvalidArgumentError(absl::StrCat("index out of range: ", x));
  return x;
}

absl::StatusOr<Value> Index(std::span<const Value> args) {
  Value item = args[0];
  if (item.is_nil()) return absl::InvalidArgumentError("index of untyped nil");
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& index = args[i];
    if (item.kind() == Value::Kind::kString) {
      const std::string& s = item.AsString();
      auto x = IndexArg(index, s.size());
      if (!x.ok()) return x.status();
      if (static_cast<size_t>(*x) >= s.size()) return absl::InvalidArgumentError(absl::StrCat("index out of range: ", *x));
      item = Value::Int(static_cast<unsigned char>(s[*x]));
      continue;
    }
    const Value* c = item.Collection();
    if (c != nullptr && c->kind() == Value::Kind::kList) {
      const ValueList& l = c->AsList();
      auto x = IndexArg(index, l.size());
      if (!x.ok()) return x.status();
      if (static_cast<size_t>(*x) >= l.size()) return absl::InvalidArgumentError(absl::StrCat("index out of range: ", *x));
      item = l[*x];
      continue;
    }
    if (c != nullptr && c->kind() == Value::Kind::kMap) {
      if (index.kind() != Value::Kind::kString) {
        if (index.is_nil()) return absl::InvalidArgumentError("value is nil; should be of type string");
        return absl::InvalidArgumentError("value has type " + index.TypeName() + "; should be string");
      }
      const ValueMap& m = c->AsMap();
      auto it = m.find(index.AsString());
      if (it != m.end()) {
        item = it->second;
      } else {
        item = c->elem_type() == ElemType::kString ? Value::String("") : Value();
      }
      continue;
    }
    return absl::InvalidArgumentError("can't index item of type " + item.TypeName());
  }
  return item;
}

absl::StatusOr<Value> Slice(std::span<const Value> args) {
  const Value& item = args[0];
  if (item.is_nil()) return absl::InvalidArgumentError("slice of untyped nil");
  size_t nidx = args.size() - 1;
  if (nidx > 3) return absl::InvalidArgumentError(absl::StrCat("too many slice indexes: ", nidx));
  size_t len = 0;
  const Value* c = item.Collection();
  if (item.kind() == Value::Kind::kString) {
    if (nidx == 3) return absl::InvalidArgumentError("cannot 3-index slice a string");
    len = item.AsString().size();
  } else if (c != nullptr && c->kind() == Value::Kind::kList) {
    len = c->AsList().size();
  } else {
    return absl::InvalidArgumentError("can't slice item of type " + item.TypeName());
  }
  int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
  for (size_t i = 0; i < nidx; ++i) {
    auto x = IndexArg(args[i + 1], len);
    if (!x.ok()) return x.status();
    idx[i] = *x;
  }
  if (idx[0] > idx[1]) return absl::InvalidArgumentError(absl::StrCat("invalid slice index: ", idx[0], " > ", idx[1]));
  if (nidx == 3 && idx[1] > idx[2]) {
    return absl::InvalidArgumentError(absl::StrCat("invalid slice index: ", idx[1], " > ", idx[2]));
  }
  if (item.kind() == Value::Kind::kString) {
    return Value::String(item.AsString().substr(idx[0], idx[1] - idx[0]), item.string_kind());
  }
  const ValueList& l = c->AsList();
  return Value::List(ValueList(l.begin() + idx[0], l.begin() + idx[1]), c->elem_type());
}

absl::StatusOr<Value> Len(std::span<const Value> args) {
  const Value& v = args[0];
  if (v.is_nil()) return absl::InvalidArgumentError("reflect: call of reflect.Value.Type on zero Value");
  if (v.kind() == Value::Kind::kString) return Value::Int(static_cast<int64_t>(v.AsString().size()));
  if (const Value* c = v.Collection()) {
    return Value::Int(static_cast<int64_t>(c->kind() == Value::Kind::kList ? c->AsList().size() : c->AsMap().size()));
  }
  return absl::InvalidArgumentError("len of type " + v.TypeName());
}

Function Fixed(int n, std::function<absl::StatusOr<Value>(std::span<const Value>)> fn) {
  Function f;
  f.params.assign(static_cast<size_t>(n), ArgType::kAny);
  f.fn = std::move(fn);
  return f;
}

Function Variadic(int fixed, std::function<absl::StatusOr<Value>(std::span<const Value>)> fn) {
  Function f;
  f.params.assign(static_cast<size_t>(fixed) + 1, ArgType::kAny);
  f.variadic = true;
  f.fn = std::move(fn);
  return f;
}

}  // namespace

absl::StatusOr<bool> GoEq(const Value& a, std::span<const Value> others) {
  if (others.empty()) return absl::InvalidArgumentError("missing argument for comparison");
  BasicKind k1 = KindOf(a);
  for (const Value& b : others) {
    BasicKind k2 = KindOf(b);
    bool truth = false;
    if (k1 != k2) {
      if (!a.is_nil() && !b.is_nil()) {
        if (k1 != BasicKind::kInvalid && k2 != BasicKind::kInvalid) return BadComparison();
        return BadComparison();
      }
    } else {
      switch (k1) {
        case BasicKind::kBool: truth = a.AsBool() == b.AsBool(); break;
        case BasicKind::kInt: truth = a.AsInt() == b.AsInt(); break;
        case BasicKind::kFloat: truth = a.AsFloat() == b.AsFloat(); break;
        case BasicKind::kString: truth = a.AsString() == b.AsString(); break;
        case BasicKind::kInvalid:
          if (a.is_nil() || b.is_nil()) {
            truth = a.is_nil() && b.is_nil();
          } else if (a.kind() == Value::Kind::kObject && b.kind() == Value::Kind::kObject &&
                     a.Collection() == nullptr && b.Collection() == nullptr) {
            truth = a.AsObject() == b.AsObject();
          } else {
            return absl::InvalidArgumentError("non-comparable type " + PrintValue(b) + ": " + b.TypeName());
          }
          break;
      }
    }
    if (truth) return true;
  }
  return false;
}

absl::StatusOr<bool> GoLt(const Value& a, const Value& b) {
  BasicKind k1 = KindOf(a);
  if (k1 == BasicKind::kInvalid) return BadComparisonType();
  BasicKind k2 = KindOf(b);
  if (k2 == BasicKind::kInvalid) return BadComparisonType();
  if (k1 != k2) return BadComparison();
  switch (k1) {
    case BasicKind::kBool: return BadComparisonType();
    case BasicKind::kInt: return a.AsInt() < b.AsInt();
    case BasicKind::kFloat: return a.AsFloat() < b.AsFloat();
    case BasicKind::kString: return a.AsString() < b.AsString();
    default: return BadComparisonType();
  }
}

std::string HtmlEscapeString(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\0': out += "\uFFFD"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string JsEscapeString(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\\uFFFD";
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string UrlQueryEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

FuncMap BuiltinFuncs() {
  FuncMap m;
  Function and_fn = Variadic(1, nullptr);
  and_fn.special = Function::Special::kAnd;
  and_fn.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    for (const auto& v : a) {
      if (!IsTrue(v)) return v;
    }
    return a.back();
  };
  m["and"] = and_fn;
  Function or_fn = Variadic(1, nullptr);
  or_fn.special = Function::Special::kOr;
  or_fn.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    for (const auto& v : a) {
      if (IsTrue(v)) return v;
    }
    return a.back();
  };
  m["or"] = or_fn;
  m["not"] = Fixed(1, [](std::span<const Value> a) -> absl::StatusOr<Value> { return Value::Bool(!IsTrue(a[0])); });
  m["len"] = Fixed(1, Len);
  m["index"] = Variadic(1, Index);
  m["slice"] = Variadic(1, Slice);
  m["print"] = Variadic(0, [](std::span<const Value> a) -> absl::StatusOr<Value> { return Value::String(GoSprint(a)); });
  m["println"] =
      Variadic(0, [](std::span<const Value> a) -> absl::StatusOr<Value> { return Value::String(GoSprintln(a)); });
  Function printf = Variadic(1, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(GoSprintf(a[0].AsString(), a.subspan(1)));
  });
  printf.params[0] = ArgType::kString;
  m["printf"] = printf;
  m["html"] = Variadic(0, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(HtmlEscapeString(EvalArgs(a)));
  });
  m["js"] = Variadic(0, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(JsEscapeString(EvalArgs(a)));
  });
  m["urlquery"] = Variadic(0, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(UrlQueryEscape(EvalArgs(a)));
  });
  m["eq"] = Variadic(1, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoEq(a[0], a.subspan(1));
    if (!r.ok()) return r.status();
    return Value::Bool(*r);
  });
  m["ne"] = Fixed(2, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoEq(a[0], a.subspan(1));
    if (!r.ok()) return r.status();
    return Value::Bool(!*r);
  });
  m["lt"] = Fixed(2, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoLt(a[0], a[1]);
    if (!r.ok()) return r.status();
    return Value::Bool(*r);
  });
  m["le"] = Fixed(2, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoLt(a[0], a[1]);
    if (!r.ok()) return r.status();
    if (*r) return Value::Bool(true);
    auto e = GoEq(a[0], a.subspan(1));
    if (!e.ok()) return e.status();
    return Value::Bool(*e);
  });
  m["gt"] = Fixed(2, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoLt(a[0], a[1]);
    if (!r.ok()) return r.status();
    if (*r) return Value::Bool(false);
    auto e = GoEq(a[0], a.subspan(1));
    if (!e.ok()) return e.status();
    return Value::Bool(!*e);
  });
  m["ge"] = Fixed(2, [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto r = GoLt(a[0], a[1]);
    if (!r.ok()) return r.status();
    return Value::Bool(!*r);
  });
  return m;
}

}  // namespace pharos::tmpl
