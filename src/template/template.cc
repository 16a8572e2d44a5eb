#include "template/template.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "common/strings.h"
#include "template/ast.h"
#include "template/builtins.h"
#include "template/html_escape.h"
#include "template/parser.h"

namespace pharos::tmpl {

namespace {

struct ExecError {
  std::string msg;
  bool limit = false;
};

enum class Flow { kNormal, kBreak, kContinue };

std::string ArgTypeName(ArgType t) {
  switch (t) {
    case ArgType::kAny: return "interface {}";
    case ArgType::kString: return "string";
    case ArgType::kFloat: return "float64";
    case ArgType::kInt: return "int";
    case ArgType::kBool: return "bool";
    case ArgType::kStringList: return "[]string";
  }
  return "?";
}

using NodeSpan = std::span<const std::unique_ptr<Node>>;

}  // namespace

class Executor {
 public:
  Executor(const TemplateSet& set, std::string* out) : set_(set), out_(out), start_size_(out->size()) {
    if (set.options_.html) html_.emplace();
  }

  absl::Status Run(const Tree* tree, const Value& dot, const Vars& vars) {
    tmpl_ = tree;
    vars_.push_back({"$", dot});
    for (const auto& v : vars) vars_.push_back(v);
    try {
      if (tree->root == nullptr) Errorf(GoQuote(tree->name) + " is an incomplete or empty template");
      Walk(dot, *tree->root);
    } catch (const ExecError& e) {
      return e.limit ? absl::ResourceExhaustedError(e.msg) : absl::InvalidArgumentError(e.msg);
    }
    return absl::OkStatus();
  }

 private:
  const TemplateOptions& opts() const { return set_.options_; }

  [[noreturn]] void Errorf(const std::string& msg, bool limit = false) {
    std::string name = tmpl_ ? tmpl_->name : "";
    if (node_ == nullptr || tmpl_ == nullptr || tmpl_->text == nullptr) {
      throw ExecError{absl::StrCat("template: ", name, ": ", msg), limit};
    }
    // Go's ErrorContext: NAME:LINE:COL with a 0-based byte column.
    const std::string& text = *tmpl_->text;
    size_t pos = std::min(node_->pos, text.size());
    std::string_view before(text.data(), pos);
    size_t line = 1;
    for (char c : before) line += c == '\n';
    size_t nl = before.rfind('\n');
    size_t col = nl == std::string_view::npos ? pos : pos - nl - 1;
    std::string context = NodeString(*node_);
    if (context.size() > 20) context = context.substr(0, 20) + "...";
    throw ExecError{absl::StrCat("template: ", tmpl_->parse_name, ":", line, ":", col, ": executing ",
                                 GoQuote(name), " at <", context, ">: ", msg),
                    limit};
  }

  void Write(std::string_view s) {
    if (out_->size() - start_size_ + s.size() > opts().limits.max_output_bytes) {
      Errorf(absl::StrCat("template output exceeds the limit of ", opts().limits.max_output_bytes, " bytes"), true);
    }
    out_->append(s);
  }

  void WriteValue(const Value& v) {
    if (html_) {
      std::string tmp;
      html_->WriteValue(v, &tmp);
      Write(tmp);
      return;
    }
    if (v.is_nil()) {
      Write("<no value>");
      return;
    }
    if (v.kind() == Value::Kind::kString) {
      Write(v.AsString());
      return;
    }
    Write(PrintValue(v));
  }

  void WriteText(std::string_view s) {
    if (html_) {
      std::string tmp;
      html_->WriteText(s, &tmp);
      Write(tmp);
      return;
    }
    Write(s);
  }

  // Variables.
  Value VarValue(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) return vars_[i].second;
    }
    Errorf("undefined variable: " + name);
  }
  void SetVar(const std::string& name, const Value& v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return;
      }
    }
    Errorf("undefined variable: " + name);
  }
  void SetTopVar(size_t n, const Value& v) { vars_[vars_.size() - n].second = v; }

  Flow Walk(const Value& dot, const Node& n) {
    node_ = &n;
    switch (n.type) {
      case NodeType::kAction: {
        Value v = EvalPipeline(dot, n.pipe.get());
        if (n.pipe->decls.empty()) WriteValue(v);
        return Flow::kNormal;
      }
      case NodeType::kBreak:
        return Flow::kBreak;
      case NodeType::kContinue:
        return Flow::kContinue;
      case NodeType::kComment:
        return Flow::kNormal;
      case NodeType::kIf:
      case NodeType::kWith: {
        size_t mark = vars_.size();
        Value v = EvalPipeline(dot, n.pipe.get());
        Flow f = Flow::kNormal;
        if (IsTrue(v)) {
          f = Walk(n.type == NodeType::kWith ? v : dot, *n.list);
        } else if (n.else_list) {
          f = Walk(dot, *n.else_list);
        }
        vars_.resize(mark);
        return f;
      }
      case NodeType::kList:
        for (const auto& c : n.children) {
          Flow f = Walk(dot, *c);
          if (f != Flow::kNormal) return f;
        }
        return Flow::kNormal;
      case NodeType::kRange:
        WalkRange(dot, n);
        return Flow::kNormal;
      case NodeType::kTemplate:
        WalkTemplate(dot, n);
        return Flow::kNormal;
      case NodeType::kText:
        WriteText(n.text);
        return Flow::kNormal;
      default:
        Errorf("unknown node: " + NodeString(n));
    }
  }

  void WalkRange(const Value& dot, const Node& r) {
    size_t mark = vars_.size();
    Value val = EvalPipeline(dot, r.pipe.get());
    const Node& pipe = *r.pipe;
    auto one = [&](const Value& index, const Value& elem) -> Flow {
      if (++iterations_ > opts().limits.max_range_iterations) {
        node_ = &r;
        Errorf(absl::StrCat("range iterations exceed the limit of ", opts().limits.max_range_iterations), true);
      }
      if (!pipe.decls.empty()) {
        if (pipe.is_assign) {
          SetVar(pipe.decls[0]->idents[0], pipe.decls.size() > 1 ? index : elem);
        } else {
          SetTopVar(1, elem);
        }
      }
      if (pipe.decls.size() > 1) {
        if (pipe.is_assign) {
          SetVar(pipe.decls[1]->idents[0], elem);
        } else {
          SetTopVar(2, index);
        }
      }
      size_t inner = vars_.size();
      Flow f = Walk(elem, *r.list);
      vars_.resize(inner);
      return f;
    };
    bool ran = false;
    const Value* c = val.Collection();
    if (c != nullptr && c->kind() == Value::Kind::kList) {
      const ValueList& l = c->AsList();
      for (size_t i = 0; i < l.size(); ++i) {
        ran = true;
        if (one(Value::Int(static_cast<int64_t>(i)), l[i]) == Flow::kBreak) break;
      }
    } else if (c != nullptr && c->kind() == Value::Kind::kMap) {
      for (const auto& [k, v] : c->AsMap()) {
        ran = true;
        if (one(Value::String(k), v) == Flow::kBreak) break;
      }
    } else if (val.kind() == Value::Kind::kInt) {
      if (pipe.decls.size() > 1) {
        node_ = &r;
        Errorf("can't use " + PrintValue(val) + " to iterate over more than one variable");
      }
      for (int64_t i = 0; i < val.AsInt(); ++i) {
        ran = true;
        if (one(Value::Int(i), Value::Int(i)) == Flow::kBreak) break;
      }
    } else if (!val.is_nil()) {
      node_ = &r;
      Errorf("range can't iterate over " + PrintValue(val));
    }
    if (!ran && r.else_list) Walk(dot, *r.else_list);
    vars_.resize(mark);
  }

  void WalkTemplate(const Value& dot, const Node& t) {
    auto it = set_.trees_.find(t.text);
    if (it == set_.trees_.end() || it->second == nullptr || it->second->root == nullptr) {
      Errorf("template " + GoQuote(t.text) + " not defined");
    }
    if (depth_ >= opts().limits.max_call_depth) {
      Errorf(absl::StrCat("exceeded maximum template depth (", opts().limits.max_call_depth, ")"), true);
    }
    Value new_dot = t.pipe ? EvalPipeline(dot, t.pipe.get()) : Value();
    const Tree* saved_tmpl = tmpl_;
    std::vector<std::pair<std::string, Value>> saved_vars;
    saved_vars.swap(vars_);
    vars_.push_back({"$", new_dot});
    tmpl_ = it->second.get();
    ++depth_;
    Walk(new_dot, *tmpl_->root);
    --depth_;
    tmpl_ = saved_tmpl;
    vars_.swap(saved_vars);
  }

  Value EvalPipeline(const Value& dot, const Node* pipe) {
    if (pipe == nullptr) return Value();
    node_ = pipe;
    std::optional<Value> value;
    for (const auto& cmd : pipe->children) value = EvalCommand(dot, *cmd, value);
    Value v = value.value_or(Value());
    for (const auto& d : pipe->decls) {
      if (pipe->is_assign) {
        SetVar(d->idents[0], v);
      } else {
        vars_.push_back({d->idents[0], v});
      }
    }
    return v;
  }

  void NotAFunction(NodeSpan args, const std::optional<Value>& final) {
    if (args.size() > 1 || final.has_value()) {
      Errorf("can't give argument to non-function " + NodeString(*args[0]));
    }
  }

  Value EvalCommand(const Value& dot, const Node& cmd, const std::optional<Value>& final) {
    const Node& first = *cmd.children[0];
    NodeSpan args(cmd.children);
    switch (first.type) {
      case NodeType::kField:
        return EvalFieldNode(dot, first, args, final);
      case NodeType::kChain:
        return EvalChainNode(dot, first, args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, args, final);
      case NodeType::kPipe:
        node_ = &first;
        NotAFunction(args, final);
        return EvalPipeline(dot, &first);
      case NodeType::kVariable:
        return EvalVariableNode(dot, first, args, final);
      default:
        break;
    }
    node_ = &first;
    NotAFunction(args, final);
    switch (first.type) {
      case NodeType::kBool:
        return Value::Bool(first.boolean);
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(first);
      case NodeType::kString:
        return Value::String(first.str);
      default:
        Errorf("can't evaluate command " + GoQuote(NodeString(first)));
    }
  }

  Value IdealConstant(const Node& n) {
    node_ = &n;
    const std::string& t = n.text;
    bool hex_int = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
                   t.find_first_of("pP") == std::string::npos;
    bool rune_int = !t.empty() && t[0] == '\'';
    if (n.is_float && !hex_int && !rune_int && t.find_first_of(".eEpP") != std::string::npos) {
      return Value::Float(n.float_val);
    }
    if (n.is_int) return Value::Int(n.int_val);
    if (n.is_uint) Errorf(t + " overflows int");
    return Value();
  }

  Value EvalFieldNode(const Value& dot, const Node& field, NodeSpan args, const std::optional<Value>& final) {
    node_ = &field;
    return EvalFieldChain(dot, dot, field, field.idents, args, final);
  }

  Value EvalChainNode(const Value& dot, const Node& chain, NodeSpan args, const std::optional<Value>& final) {
    node_ = &chain;
    if (chain.operand->type == NodeType::kNil) Errorf("indirection through explicit nil in " + NodeString(chain));
    Value pipe = EvalArg(dot, ArgType::kAny, *chain.operand);
    return EvalFieldChain(dot, pipe, chain, chain.idents, args, final);
  }

  Value EvalVariableNode(const Value& dot, const Node& var, NodeSpan args, const std::optional<Value>& final) {
    node_ = &var;
    Value value = VarValue(var.idents[0]);
    if (var.idents.size() == 1) {
      NotAFunction(args, final);
      return value;
    }
    return EvalFieldChain(dot, value, var, std::span<const std::string>(var.idents).subspan(1), args, final);
  }

  Value EvalFieldChain(const Value& dot, Value receiver, const Node& node, std::span<const std::string> idents,
                       NodeSpan args, const std::optional<Value>& final) {
    size_t n = idents.size();
    for (size_t i = 0; i + 1 < n; ++i) receiver = EvalField(dot, idents[i], node, {}, std::nullopt, receiver);
    return EvalField(dot, idents[n - 1], node, args, final, receiver);
  }

  Value EvalField(const Value& dot, const std::string& name, const Node& node, NodeSpan args,
                  const std::optional<Value>& final, const Value& receiver) {
    if (receiver.is_nil()) {
      if (opts().missing_key == MissingKey::kError) Errorf("nil data; no entry for key " + GoQuote(name));
      return Value();
    }
    bool has_args = args.size() > 1 || final.has_value();
    if (receiver.kind() == Value::Kind::kObject) {
      const Object* obj = receiver.AsObject();
      if (obj->IsMethod(name)) {
        std::vector<Value> argv;
        for (size_t i = 1; i < args.size(); ++i) argv.push_back(EvalArg(dot, ArgType::kAny, *args[i]));
        if (final) argv.push_back(*final);
        auto r = obj->Member(name, argv);
        node_ = &node;
        if (!r.has_value()) Errorf("can't evaluate field " + name + " in type " + receiver.TypeName());
        if (!r->ok()) Errorf("error calling " + name + ": " + std::string(SV(r->status().message())));
        return **r;
      }
      auto r = obj->Member(name, {});
      if (r.has_value()) {
        node_ = &node;
        if (has_args) Errorf(name + " has arguments but cannot be invoked as function");
        if (!r->ok()) Errorf("error calling " + name + ": " + std::string(SV(r->status().message())));
        return **r;
      }
    }
    const Value* c = receiver.Collection();
    if (c != nullptr && c->kind() == Value::Kind::kMap) {
      node_ = &node;
      if (has_args) Errorf(name + " is not a method but has arguments");
      const ValueMap& m = c->AsMap();
      auto it = m.find(name);
      if (it != m.end()) return it->second;
      switch (opts().missing_key) {
        case MissingKey::kDefault:
          return Value();
        case MissingKey::kZero:
          return c->elem_type() == ElemType::kString ? Value::String("") : Value();
        case MissingKey::kError:
          Errorf("map has no entry for key " + GoQuote(name));
      }
    }
    node_ = &node;
    Errorf("can't evaluate field " + name + " in type " + receiver.TypeName());
  }

  Value EvalFunction(const Value& dot, const Node& ident, const Node& cmd, NodeSpan args,
                     const std::optional<Value>& final) {
    node_ = &ident;
    auto it = set_.funcs_.find(ident.text);
    if (it == set_.funcs_.end()) Errorf(GoQuote(ident.text) + " is not a defined function");
    return EvalCall(dot, it->second, cmd, ident.text, args, final);
  }

  Value EvalCall(const Value& dot, const Function& fn, const Node& node, const std::string& name, NodeSpan args,
                 const std::optional<Value>& final) {
    if (!args.empty()) args = args.subspan(1);
    size_t num_in = args.size() + (final ? 1 : 0);
    size_t num_fixed = args.size();
    size_t nparams = fn.params.size();
    if (fn.variadic) {
      num_fixed = nparams - 1;
      if (num_in < num_fixed) {
        Errorf(absl::StrCat("wrong number of args for ", name, ": want at least ", nparams - 1, " got ", args.size()));
      }
    } else if (num_in != nparams) {
      Errorf(absl::StrCat("wrong number of args for ", name, ": want ", nparams, " got ", num_in));
    }
    auto param = [&](size_t i) { return i < num_fixed ? fn.params[i] : fn.params.back(); };
    if (fn.special != Function::Special::kNone) {
      bool is_or = fn.special == Function::Special::kOr;
      Value v;
      for (const auto& a : args) {
        v = EvalArg(dot, ArgType::kAny, *a);
        if (IsTrue(v) == is_or) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Value> argv;
    argv.reserve(num_in);
    for (size_t i = 0; i < args.size(); ++i) argv.push_back(EvalArg(dot, param(i), *args[i]));
    if (final) argv.push_back(Validate(*final, param(num_in - 1)));
    auto r = fn.fn ? fn.fn(argv) : absl::StatusOr<Value>(Value());
    if (!r.ok()) {
      node_ = &node;
      std::string msg(SV(r.status().message()));
      // A function's own argument type check reads as Go's reflection's.
      if (msg.starts_with("wrong type for value;")) Errorf(msg);
      Errorf("error calling " + name + ": " + msg);
    }
    // Strings built by functions count against a budget even when they
    // are not written (printf "%999999d" in a long range).
    if (r->kind() == Value::Kind::kString) {
      produced_ += r->AsString().size();
      if (produced_ > 16 * opts().limits.max_output_bytes) {
        Errorf(absl::StrCat("template functions produced more than ", 16 * opts().limits.max_output_bytes,
                            " bytes"),
               true);
      }
    }
    return *std::move(r);
  }

  Value Validate(const Value& v, ArgType t) {
    if (v.is_nil()) {
      if (t == ArgType::kAny || t == ArgType::kStringList) return v;
      Errorf("invalid value; expected " + ArgTypeName(t));
    }
    bool ok = false;
    switch (t) {
      case ArgType::kAny: ok = true; break;
      case ArgType::kString: ok = v.kind() == Value::Kind::kString && v.string_kind() == StringKind::kPlain; break;
      case ArgType::kFloat: ok = v.kind() == Value::Kind::kFloat; break;
      case ArgType::kInt: ok = v.kind() == Value::Kind::kInt; break;
      case ArgType::kBool: ok = v.kind() == Value::Kind::kBool; break;
      case ArgType::kStringList: {
        const Value* c = v.Collection();
        ok = c != nullptr && c->kind() == Value::Kind::kList && c->elem_type() == ElemType::kString;
        if (ok) return *c;
        break;
      }
    }
    if (!ok) Errorf("wrong type for value; expected " + ArgTypeName(t) + "; got " + v.TypeName());
    return v;
  }

  Value EvalArg(const Value& dot, ArgType t, const Node& n) {
    node_ = &n;
    switch (n.type) {
      case NodeType::kDot:
        return Validate(dot, t);
      case NodeType::kNil:
        if (t == ArgType::kAny || t == ArgType::kStringList) return Value();
        Errorf("cannot assign nil to " + ArgTypeName(t));
      case NodeType::kField:
        return Validate(EvalFieldChain(dot, dot, n, n.idents, {}, std::nullopt), t);
      case NodeType::kVariable:
        return Validate(EvalVariableNode(dot, n, {}, std::nullopt), t);
      case NodeType::kPipe:
        return Validate(EvalPipeline(dot, &n), t);
      case NodeType::kIdentifier:
        return Validate(EvalFunction(dot, n, n, {}, std::nullopt), t);
      case NodeType::kChain:
        return Validate(EvalChainNode(dot, n, {}, std::nullopt), t);
      default:
        break;
    }
    switch (t) {
      case ArgType::kBool:
        if (n.type == NodeType::kBool) return Value::Bool(n.boolean);
        Errorf("expected bool; found " + NodeString(n));
      case ArgType::kFloat:
        if (n.type == NodeType::kNumber && n.is_float) return Value::Float(n.float_val);
        Errorf("expected float; found " + NodeString(n));
      case ArgType::kInt:
        if (n.type == NodeType::kNumber && n.is_int) return Value::Int(n.int_val);
        Errorf("expected integer; found " + NodeString(n));
      case ArgType::kString:
        if (n.type == NodeType::kString) return Value::String(n.str);
        Errorf("expected string; found " + NodeString(n));
      case ArgType::kStringList:
        Errorf("can't handle " + NodeString(n) + " for arg of type []string");
      case ArgType::kAny:
        break;
    }
    switch (n.type) {
      case NodeType::kBool:
        return Value::Bool(n.boolean);
      case NodeType::kNumber:
        return IdealConstant(n);
      case NodeType::kString:
        return Value::String(n.str);
      default:
        Errorf("can't handle assignment of " + NodeString(n) + " to empty interface argument");
    }
  }

  const TemplateSet& set_;
  std::string* out_;
  size_t start_size_;
  const Tree* tmpl_ = nullptr;
  const Node* node_ = nullptr;
  std::vector<std::pair<std::string, Value>> vars_;
  int depth_ = 0;
  size_t iterations_ = 0;
  size_t produced_ = 0;
  std::optional<HtmlContext> html_;
};

TemplateSet::TemplateSet(TemplateOptions options) : options_(options), funcs_(BuiltinFuncs()) {}
TemplateSet::~TemplateSet() = default;
TemplateSet::TemplateSet(TemplateSet&&) noexcept = default;
TemplateSet& TemplateSet::operator=(TemplateSet&&) noexcept = default;

void TemplateSet::AddFunc(std::string name, Function f) { funcs_[std::move(name)] = std::move(f); }

void TemplateSet::AddFuncs(const FuncMap& funcs) {
  for (const auto& [name, f] : funcs) funcs_[name] = f;
}

bool TemplateSet::HasFunc(std::string_view name) const { return funcs_.find(name) != funcs_.end(); }

absl::Status TemplateSet::Parse(std::string_view name, std::string_view text, const std::vector<std::string>& vars) {
  if (text.size() > options_.limits.max_text_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("template: ", AV(name), ": text of ", text.size(),
                                                   " bytes exceeds the limit of ", options_.limits.max_text_bytes));
  }
  ParseInput in;
  in.name = std::string(name);
  in.text = std::make_shared<const std::string>(text);
  in.has_func = [this](std::string_view f) { return HasFunc(f); };
  in.predeclared_vars = vars;
  in.max_depth = options_.limits.max_parse_depth;
  return ParseTemplates(in, &trees_);
}

bool TemplateSet::Has(std::string_view name) const { return trees_.find(name) != trees_.end(); }

std::vector<std::string> TemplateSet::Names() const {
  std::vector<std::string> out;
  for (const auto& [n, t] : trees_) out.push_back(n);
  return out;
}

absl::Status TemplateSet::Execute(std::string_view name, const Value& dot, std::string* out, const Vars& vars) const {
  auto it = trees_.find(name);
  if (it == trees_.end()) {
    return absl::NotFoundError(absl::StrCat("template: no template ", GoQuote(name), " associated with template set"));
  }
  Executor ex(*this, out);
  return ex.Run(it->second.get(), dot, vars);
}

absl::StatusOr<std::string> TemplateSet::ExecuteToString(std::string_view name, const Value& dot,
                                                         const Vars& vars) const {
  std::string out;
  absl::Status s = Execute(name, dot, &out, vars);
  if (!s.ok()) return s;
  return out;
}

TemplateSet TemplateSet::Clone() const {
  TemplateSet c(options_);
  c.funcs_ = funcs_;
  c.trees_ = trees_;
  return c;
}

std::string ToPrintString(const Value& v) { return PrintValue(v); }

}  // namespace pharos::tmpl
