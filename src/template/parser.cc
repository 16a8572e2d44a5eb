#include "template/parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "common/strings.h"
#include "template/go_fmt.h"
#include "template/lexer.h"

namespace pharos::tmpl {

bool IsEmptyTree(const Node* n) {
  if (n == nullptr) return true;
  switch (n->type) {
    case NodeType::kList:
      for (const auto& c : n->children) {
        if (!IsEmptyTree(c.get())) return false;
      }
      return true;
    case NodeType::kText:
      for (char c : n->text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
      }
      return true;
    case NodeType::kComment:
      return true;
    default:
      return false;
  }
}

namespace {

void WritePipe(std::string& out, const Node& p);

void WriteNode(std::string& out, const Node& n) {
  switch (n.type) {
    case NodeType::kText:
      out += n.text;
      return;
    case NodeType::kAction:
      out += "{{";
      WritePipe(out, *n.pipe);
      out += "}}";
      return;
    case NodeType::kBool:
      out += n.boolean ? "true" : "false";
      return;
    case NodeType::kChain:
      if (n.operand->type == NodeType::kPipe) {
        out += '(';
        WritePipe(out, *n.operand);
        out += ')';
      } else {
        WriteNode(out, *n.operand);
      }
      for (const auto& f : n.idents) {
        out += '.';
        out += f;
      }
      return;
    case NodeType::kCommand:
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i > 0) out += ' ';
        if (n.children[i]->type == NodeType::kPipe) {
          out += '(';
          WritePipe(out, *n.children[i]);
          out += ')';
        } else {
          WriteNode(out, *n.children[i]);
        }
      }
      return;
    case NodeType::kDot:
      out += '.';
      return;
    case NodeType::kField:
      for (const auto& f : n.idents) {
        out += '.';
        out += f;
      }
      return;
    case NodeType::kIdentifier:
    case NodeType::kNumber:
    case NodeType::kString:
      out += n.text;
      return;
    case NodeType::kIf:
    case NodeType::kRange:
    case NodeType::kWith:
      out += n.type == NodeType::kIf ? "{{if " : n.type == NodeType::kRange ? "{{range " : "{{with ";
      WritePipe(out, *n.pipe);
      out += "}}";
      WriteNode(out, *n.list);
      if (n.else_list) {
        out += "{{else}}";
        WriteNode(out, *n.else_list);
      }
      out += "{{end}}";
      return;
    case NodeType::kList:
      for (const auto& c : n.children) WriteNode(out, *c);
      return;
    case NodeType::kNil:
      out += "nil";
      return;
    case NodeType::kPipe:
      WritePipe(out, n);
      return;
    case NodeType::kTemplate:
      out += "{{template ";
      out += GoQuote(n.text);
      if (n.pipe) {
        out += ' ';
        WritePipe(out, *n.pipe);
      }
      out += "}}";
      return;
    case NodeType::kVariable:
      for (size_t i = 0; i < n.idents.size(); ++i) {
        if (i > 0) out += '.';
        out += n.idents[i];
      }
      return;
    case NodeType::kComment:
      out += "{{" + n.text + "}}";
      return;
    case NodeType::kBreak:
      out += "{{break}}";
      return;
    case NodeType::kContinue:
      out += "{{continue}}";
      return;
    case NodeType::kElse:
      out += "{{else}}";
      return;
    case NodeType::kEnd:
      out += "{{end}}";
      return;
  }
}

void WritePipe(std::string& out, const Node& p) {
  if (!p.decls.empty()) {
    for (size_t i = 0; i < p.decls.size(); ++i) {
      if (i > 0) out += ", ";
      WriteNode(out, *p.decls[i]);
    }
    out += p.is_assign ? " = " : " := ";
  }
  for (size_t i = 0; i < p.children.size(); ++i) {
    if (i > 0) out += " | ";
    WriteNode(out, *p.children[i]);
  }
}

struct ParseError {
  std::string msg;
};

// Go's strconv.Unquote for "..." , `...` and '...' literals.
bool Unquote(std::string_view s, std::string* out, int64_t* rune_out = nullptr) {
  out->clear();
  if (s.size() < 2) return false;
  char q = s.front();
  if (s.back() != q) return false;
  s = s.substr(1, s.size() - 2);
  if (q == '`') {
    for (char c : s) {
      if (c != '\r') out->push_back(c);
    }
    return true;
  }
  auto append_rune = [&](uint32_t r) { AppendUtf8(*out, r); };

  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int runes = 0;
  int64_t last_rune = 0;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == q) return false;
    if (c == '\n') return false;
    if (c != '\\') {
      unsigned char uc = static_cast<unsigned char>(c);
      size_t n = 1;
      if (uc >= 0x80) {
        n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80 && n < 4) ++n;
      }
      if (q == '\'' && uc >= 0x80) {
        // Decode for the rune value.
        uint32_t r = uc & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < n; ++k) r = (r << 6) | (s[i + k] & 0x3F);
        last_rune = r;
      } else {
        last_rune = uc;
      }
      out->append(s.substr(i, n));
      i += n;
      ++runes;
      continue;
    }
    if (i + 1 >= s.size()) return false;
    char e = s[i + 1];
    i += 2;
    uint32_t r = 0;
    switch (e) {
      case 'a': r = '\a'; break;
      case 'b': r = '\b'; break;
      case 'f': r = '\f'; break;
      case 'n': r = '\n'; break;
      case 'r': r = '\r'; break;
      case 't': r = '\t'; break;
      case 'v': r = '\v'; break;
      case '\\': r = '\\'; break;
      case '\'':
      case '"':
        if (e != q) return false;
        r = static_cast<uint32_t>(e);
        break;
      case 'x': case 'u': case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n > s.size()) return false;
        for (size_t k = 0; k < n; ++k) {
          int h = hexval(s[i + k]);
          if (h < 0) return false;
          r = r * 16 + static_cast<uint32_t>(h);
        }
        i += n;
        if (e == 'x') {
          // A byte, not a rune.
          if (q == '\'') {
            last_rune = r;
            out->push_back(static_cast<char>(r));
            ++runes;
            continue;
          }
          out->push_back(static_cast<char>(r));
          ++runes;
          continue;
        }
        if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return false;
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          if (i + 1 >= s.size() + 1 || i + 2 > s.size()) return false;
          r = static_cast<uint32_t>(e - '0');
          for (size_t k = 0; k < 2; ++k) {
            char d = s[i + k];
            if (d < '0' || d > '7') return false;
            r = r * 8 + static_cast<uint32_t>(d - '0');
          }
          i += 2;
          if (r > 255) return false;
          out->push_back(static_cast<char>(r));
          last_rune = r;
          ++runes;
          continue;
        }
        return false;
    }
    append_rune(r);
    last_rune = r;
    ++runes;
  }
  if (q == '\'') {
    if (runes != 1) return false;
    if (rune_out) *rune_out = last_rune;
  }
  return true;
}

class Parser {
 public:
  Parser(const ParseInput& in, std::map<std::string, std::shared_ptr<Tree>, std::less<>>* trees)
      : in_(in), trees_(trees), toks_(Lex(*in.text)) {}

  void Parse() {
    auto top = NewTree(in_.name);
    vars_ = {"$"};
    for (const auto& v : in_.predeclared_vars) vars_.push_back(v);
    top->root = std::make_unique<Node>(NodeType::kList, Peek().pos);
    while (Peek().type != Tok::kEOF) {
      if (Peek().type == Tok::kLeftDelim) {
        size_t save = i_;
        Next();
        if (NextNonSpace().type == Tok::kDefine) {
          ParseDefinition();
          continue;
        }
        i_ = save;
      }
      auto n = TextOrAction();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        Errorf("unexpected " + NodeString(*n));
      }
      top->root->children.push_back(std::move(n));
    }
    Add(std::move(top));
  }

 private:
  std::shared_ptr<Tree> NewTree(std::string name) {
    auto t = std::make_shared<Tree>();
    t->name = std::move(name);
    t->parse_name = in_.name;
    t->text = in_.text;
    return t;
  }

  // Within one parse, a second non-empty definition of a name is an error.
  void Add(std::shared_ptr<Tree> t) {
    auto it = local_.find(t->name);
    if (it == local_.end() || IsEmptyTree(it->second->root.get())) {
      local_[t->name] = t;
      return;
    }
    if (!IsEmptyTree(t->root.get())) {
      Errorf("template: multiple definition of template " + GoQuote(t->name));
    }
  }

 public:
  void Commit() {
    for (auto& [name, t] : local_) {
      auto it = trees_->find(name);
      // An empty template does not replace an existing one.
      if (it != trees_->end() && IsEmptyTree(t->root.get()) && it->second != nullptr) continue;
      (*trees_)[name] = t;
    }
  }

 private:
  [[noreturn]] void Errorf(const std::string& msg) {
    throw ParseError{absl::StrCat("template: ", in_.name, ":", toks_[std::min(max_seen_, toks_.size() - 1)].line,
                                  ": ", msg)};
  }

  const Token& Fetch(size_t i) {
    if (i >= toks_.size()) i = toks_.size() - 1;
    if (i > max_seen_ || max_seen_ == static_cast<size_t>(-1)) max_seen_ = i;
    return toks_[i];
  }
  const Token& Next() {
    const Token& t = Fetch(i_);
    ++i_;
    return t;
  }
  const Token& Peek() { return Fetch(i_); }
  void Backup() {
    if (i_ > 0) --i_;
  }
  const Token& NextNonSpace() {
    for (;;) {
      const Token& t = Next();
      if (t.type != Tok::kSpace) return t;
    }
  }
  const Token& PeekNonSpace() {
    const Token& t = NextNonSpace();
    Backup();
    return t;
  }
  const Token& Expect(Tok want, const std::string& context) {
    const Token& t = NextNonSpace();
    if (t.type != want) Unexpected(t, context);
    return t;
  }

  [[noreturn]] void Unexpected(const Token& t, const std::string& context) {
    if (t.type == Tok::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != t.line) {
        extra = absl::StrCat(" in action started at ", in_.name, ":", action_line_);
        if (t.val.size() >= 7 && t.val.ends_with(" action")) extra = extra.substr(std::string(" in action").size());
      }
      Errorf(t.val + extra);
    }
    Errorf("unexpected " + TokenString(t) + " in " + context);
  }

  struct DepthGuard {
    Parser* p;
    explicit DepthGuard(Parser* parser) : p(parser) {
      if (++p->depth_ > p->in_.max_depth) p->Errorf("max expression depth exceeded");
    }
    ~DepthGuard() { --p->depth_; }
  };

  void ParseDefinition() {
    const std::string context = "define clause";
    const Token& name = NextNonSpace();
    if (name.type != Tok::kString && name.type != Tok::kRawString) Unexpected(name, context);
    std::string unq;
    if (!Unquote(name.val, &unq)) Errorf("invalid syntax");
    auto t = NewTree(unq);
    Expect(Tok::kRightDelim, context);
    auto saved_vars = vars_;
    vars_ = {"$"};
    std::unique_ptr<Node> end;
    t->root = ItemList(&end);
    if (end->type != NodeType::kEnd) Errorf("unexpected " + NodeString(*end) + " in " + context);
    vars_ = saved_vars;
    Add(std::move(t));
  }

  std::unique_ptr<Node> ItemList(std::unique_ptr<Node>* next) {
    auto list = std::make_unique<Node>(NodeType::kList, PeekNonSpace().pos);
    while (PeekNonSpace().type != Tok::kEOF) {
      auto n = TextOrAction();
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        *next = std::move(n);
        return list;
      }
      list->children.push_back(std::move(n));
    }
    Errorf("unexpected EOF");
  }

  std::unique_ptr<Node> TextOrAction() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kText: {
        auto n = std::make_unique<Node>(NodeType::kText, t.pos, t.line);
        n->text = t.val;
        return n;
      }
      case Tok::kLeftDelim: {
        int saved = action_line_;
        action_line_ = t.line;
        auto n = Action();
        action_line_ = saved;
        return n;
      }
      case Tok::kComment: {
        auto n = std::make_unique<Node>(NodeType::kComment, t.pos, t.line);
        n->text = t.val;
        return n;
      }
      default:
        Unexpected(t, "input");
    }
  }

  std::unique_ptr<Node> Action() {
    DepthGuard g(this);
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kBlock:
        return BlockControl();
      case Tok::kBreak:
      case Tok::kContinue: {
        bool is_break = t.type == Tok::kBreak;
        size_t pos = t.pos;
        int line = t.line;
        const Token& n = NextNonSpace();
        if (n.type != Tok::kRightDelim) Unexpected(n, is_break ? "{{break}}" : "{{continue}}");
        if (range_depth_ == 0) Errorf(is_break ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
        return std::make_unique<Node>(is_break ? NodeType::kBreak : NodeType::kContinue, pos, line);
      }
      case Tok::kElse: {
        const Token& p = PeekNonSpace();
        if (p.type == Tok::kIf || p.type == Tok::kWith) {
          return std::make_unique<Node>(NodeType::kElse, p.pos, p.line);
        }
        const Token& e = Expect(Tok::kRightDelim, "else");
        return std::make_unique<Node>(NodeType::kElse, e.pos, e.line);
      }
      case Tok::kEnd: {
        const Token& e = Expect(Tok::kRightDelim, "end");
        return std::make_unique<Node>(NodeType::kEnd, e.pos, e.line);
      }
      case Tok::kIf:
        return Control(NodeType::kIf, "if");
      case Tok::kRange:
        return Control(NodeType::kRange, "range");
      case Tok::kWith:
        return Control(NodeType::kWith, "with");
      case Tok::kTemplate:
        return TemplateControl();
      default:
        break;
    }
    Backup();
    const Token& p = Peek();
    auto n = std::make_unique<Node>(NodeType::kAction, p.pos, p.line);
    n->pipe = Pipeline("command", Tok::kRightDelim);
    return n;
  }

  std::unique_ptr<Node> Control(NodeType type, const std::string& context) {
    size_t vars_mark = vars_.size();
    auto n = std::make_unique<Node>(type);
    n->pipe = Pipeline(context, Tok::kRightDelim);
    n->pos = n->pipe->pos;
    n->line = n->pipe->line;
    if (type == NodeType::kRange) ++range_depth_;
    std::unique_ptr<Node> next;
    n->list = ItemList(&next);
    if (type == NodeType::kRange) --range_depth_;
    if (next->type == NodeType::kElse) {
      // "else if" and "else with" chain without their own {{end}}.
      if ((type == NodeType::kIf && Peek().type == Tok::kIf) ||
          (type == NodeType::kWith && Peek().type == Tok::kWith)) {
        Next();
        n->else_list = std::make_unique<Node>(NodeType::kList, next->pos, next->line);
        n->else_list->children.push_back(Control(type, context));
      } else {
        std::unique_ptr<Node> end;
        n->else_list = ItemList(&end);
        if (end->type != NodeType::kEnd) Errorf("expected end; found " + NodeString(*end));
      }
    }
    vars_.resize(vars_mark);
    return n;
  }

  std::string TemplateName(const Token& t, const std::string& context) {
    if (t.type != Tok::kString && t.type != Tok::kRawString) Unexpected(t, context);
    std::string s;
    if (!Unquote(t.val, &s)) Errorf("invalid syntax");
    return s;
  }

  std::unique_ptr<Node> TemplateControl() {
    const std::string context = "template clause";
    const Token& t = NextNonSpace();
    size_t pos = t.pos;
    int line = t.line;
    std::string name = TemplateName(t, context);
    auto n = std::make_unique<Node>(NodeType::kTemplate, pos, line);
    n->text = name;
    if (NextNonSpace().type != Tok::kRightDelim) {
      Backup();
      n->pipe = Pipeline(context, Tok::kRightDelim);
    }
    return n;
  }

  std::unique_ptr<Node> BlockControl() {
    const std::string context = "block clause";
    const Token& t = NextNonSpace();
    size_t pos = t.pos;
    int line = t.line;
    std::string name = TemplateName(t, context);
    auto pipe = Pipeline(context, Tok::kRightDelim);
    auto block = NewTree(name);
    auto saved_vars = vars_;
    vars_ = {"$"};
    std::unique_ptr<Node> end;
    block->root = ItemList(&end);
    if (end->type != NodeType::kEnd) Errorf("unexpected " + NodeString(*end) + " in " + context);
    vars_ = saved_vars;
    Add(std::move(block));
    auto n = std::make_unique<Node>(NodeType::kTemplate, pos, line);
    n->text = name;
    n->pipe = std::move(pipe);
    return n;
  }

  std::unique_ptr<Node> NewVariable(const Token& t) {
    auto v = std::make_unique<Node>(NodeType::kVariable, t.pos, t.line);
    size_t start = 0;
    const std::string& s = t.val;
    for (size_t i = 0; i <= s.size(); ++i) {
      if (i == s.size() || s[i] == '.') {
        v->idents.push_back(s.substr(start, i - start));
        start = i + 1;
      }
    }
    return v;
  }

  std::unique_ptr<Node> Pipeline(const std::string& context, Tok end) {
    DepthGuard g(this);
    const Token& first = PeekNonSpace();
    auto pipe = std::make_unique<Node>(NodeType::kPipe, first.pos, first.line);
  decls:
    if (PeekNonSpace().type == Tok::kVariable) {
      size_t var_index = i_;
      const Token& v = Next();
      Token var_tok = v;
      const Token& after = Peek();
      bool after_is_space = after.type == Tok::kSpace;
      const Token& next = PeekNonSpace();
      if (next.type == Tok::kAssign || next.type == Tok::kDeclare) {
        pipe->is_assign = next.type == Tok::kAssign;
        NextNonSpace();
        pipe->decls.push_back(NewVariable(var_tok));
        vars_.push_back(var_tok.val);
      } else if (next.type == Tok::kChar && next.val == ",") {
        NextNonSpace();
        pipe->decls.push_back(NewVariable(var_tok));
        vars_.push_back(var_tok.val);
        if (context == "range" && pipe->decls.size() < 2) {
          Tok p = PeekNonSpace().type;
          if (p == Tok::kVariable || p == Tok::kRightDelim || p == Tok::kRightParen) goto decls;
          Errorf("range can only initialize variables");
        }
        Errorf("too many declarations in " + context);
      } else {
        (void)after_is_space;
        i_ = var_index;
      }
    }
    for (;;) {
      const Token& t = NextNonSpace();
      if (t.type == end) {
        CheckPipeline(*pipe, context);
        return pipe;
      }
      switch (t.type) {
        case Tok::kBool: case Tok::kCharConstant: case Tok::kDot: case Tok::kField:
        case Tok::kIdentifier: case Tok::kNumber: case Tok::kNil: case Tok::kRawString:
        case Tok::kString: case Tok::kVariable: case Tok::kLeftParen:
          Backup();
          pipe->children.push_back(Command());
          break;
        default:
          Unexpected(t, context);
      }
    }
  }

  void CheckPipeline(const Node& pipe, const std::string& context) {
    if (pipe.children.empty()) Errorf("missing value for " + context);
    for (size_t i = 1; i < pipe.children.size(); ++i) {
      switch (pipe.children[i]->children[0]->type) {
        case NodeType::kBool: case NodeType::kDot: case NodeType::kNil: case NodeType::kNumber:
        case NodeType::kString:
          Errorf(absl::StrCat("non executable command in pipeline stage ", i + 1));
        default:
          break;
      }
    }
  }

  std::unique_ptr<Node> Command() {
    const Token& first = PeekNonSpace();
    auto cmd = std::make_unique<Node>(NodeType::kCommand, first.pos, first.line);
    for (;;) {
      PeekNonSpace();
      auto operand = Operand();
      if (operand) cmd->children.push_back(std::move(operand));
      const Token& t = Next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        Backup();
      } else if (t.type != Tok::kPipe) {
        Unexpected(t, "operand");
      }
      break;
    }
    if (cmd->children.empty()) Errorf("empty command");
    return cmd;
  }

  std::unique_ptr<Node> Operand() {
    auto node = Term();
    if (!node) return nullptr;
    if (Peek().type == Tok::kField) {
      auto chain = std::make_unique<Node>(NodeType::kChain, Peek().pos, Peek().line);
      while (Peek().type == Tok::kField) chain->idents.push_back(Next().val.substr(1));
      switch (node->type) {
        case NodeType::kField: {
          for (auto& f : chain->idents) node->idents.push_back(f);
          return node;
        }
        case NodeType::kVariable: {
          for (auto& f : chain->idents) node->idents.push_back(f);
          return node;
        }
        case NodeType::kBool: case NodeType::kString: case NodeType::kNumber: case NodeType::kNil:
        case NodeType::kDot:
          Errorf("unexpected . after term " + GoQuote(NodeString(*node)));
        default:
          chain->operand = std::move(node);
          return chain;
      }
    }
    return node;
  }

  std::unique_ptr<Node> Term() {
    const Token& t = NextNonSpace();
    switch (t.type) {
      case Tok::kIdentifier: {
        if (in_.has_func && !in_.has_func(t.val)) Errorf("function " + GoQuote(t.val) + " not defined");
        auto n = std::make_unique<Node>(NodeType::kIdentifier, t.pos, t.line);
        n->text = t.val;
        return n;
      }
      case Tok::kDot:
        return std::make_unique<Node>(NodeType::kDot, t.pos, t.line);
      case Tok::kNil:
        return std::make_unique<Node>(NodeType::kNil, t.pos, t.line);
      case Tok::kVariable: {
        auto v = NewVariable(t);
        bool found = false;
        for (const auto& name : vars_) {
          if (name == v->idents[0]) found = true;
        }
        if (!found) Errorf("undefined variable " + GoQuote(v->idents[0]));
        return v;
      }
      case Tok::kField: {
        auto n = std::make_unique<Node>(NodeType::kField, t.pos, t.line);
        n->idents.push_back(t.val.substr(1));
        return n;
      }
      case Tok::kBool: {
        auto n = std::make_unique<Node>(NodeType::kBool, t.pos, t.line);
        n->boolean = t.val == "true";
        return n;
      }
      case Tok::kCharConstant:
      case Tok::kNumber:
        return NewNumber(t);
      case Tok::kLeftParen: {
        return Pipeline("parenthesized pipeline", Tok::kRightParen);
      }
      case Tok::kString:
      case Tok::kRawString: {
        auto n = std::make_unique<Node>(NodeType::kString, t.pos, t.line);
        n->text = t.val;
        if (!Unquote(t.val, &n->str)) Errorf("invalid syntax");
        return n;
      }
      default:
        Backup();
        return nullptr;
    }
  }

  std::unique_ptr<Node> NewNumber(const Token& t) {
    auto n = std::make_unique<Node>(NodeType::kNumber, t.pos, t.line);
    n->text = t.val;
    const std::string& s = t.val;
    if (t.type == Tok::kCharConstant) {
      std::string tmp;
      int64_t r = 0;
      if (!Unquote(s, &tmp, &r)) Errorf("malformed character constant: " + s);
      n->is_int = n->is_uint = n->is_float = true;
      n->int_val = r;
      n->float_val = static_cast<double>(r);
      return n;
    }
    if (!s.empty() && s.back() == 'i') Errorf("complex numbers are not supported: " + GoQuote(s));
    // Go's number syntax: optional sign, 0x/0o/0b prefixes, '_' separators.
    std::string clean;
    for (char c : s) {
      if (c != '_') clean.push_back(c);
    }
    bool neg = false;
    std::string_view body = clean;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      neg = body[0] == '-';
      body.remove_prefix(1);
    }
    int base = 10;
    std::string_view digits = body;
    if (body.size() > 1 && body[0] == '0') {
      char p = body[1];
      if (p == 'x' || p == 'X') {
        base = 16;
        digits = body.substr(2);
      } else if (p == 'o' || p == 'O') {
        base = 8;
        digits = body.substr(2);
      } else if (p == 'b' || p == 'B') {
        base = 2;
        digits = body.substr(2);
      } else if (body.find_first_of(".eEpP") == std::string_view::npos) {
        base = 8;
        digits = body.substr(1);
      }
    }
    bool int_syntax = !digits.empty() && (base == 16 ? digits.find_first_of(".pP") == std::string_view::npos
                                                      : digits.find_first_of(".eEpP") == std::string_view::npos);
    if (int_syntax) {
      unsigned __int128 v = 0;
      bool overflow = false;
      bool ok = true;
      for (char c : digits) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
        if (d >= base) {
          ok = false;
          break;
        }
        v = v * base + d;
        if (v > static_cast<unsigned __int128>(UINT64_MAX)) overflow = true;
      }
      if (ok && !overflow) {
        if (!neg && v <= static_cast<unsigned __int128>(INT64_MAX)) {
          n->is_int = n->is_uint = n->is_float = true;
          n->int_val = static_cast<int64_t>(v);
          n->float_val = static_cast<double>(n->int_val);
          return n;
        }
        if (neg && v <= static_cast<unsigned __int128>(INT64_MAX) + 1) {
          n->is_int = n->is_float = true;
          n->int_val = v == static_cast<unsigned __int128>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(v);
          n->float_val = static_cast<double>(n->int_val);
          return n;
        }
        if (!neg) {
          n->is_uint = n->is_float = true;
          n->float_val = static_cast<double>(static_cast<uint64_t>(v));
          return n;
        }
      }
      if (ok && overflow) Errorf("integer overflow: " + GoQuote(s));
      Errorf("illegal number syntax: " + GoQuote(s));
    }
    // Floats (decimal, or hex with a p exponent).
    if (base == 16 && digits.find_first_of("pP") == std::string_view::npos) {
      Errorf("illegal number syntax: " + GoQuote(s));
    }
    std::string f(clean);
    errno = 0;
    char* endp = nullptr;
    double d = std::strtod(f.c_str(), &endp);
    if (endp == f.c_str() || *endp != '\0' || f.find_first_of("nN") != std::string::npos ||
        (base == 8 && f.size() > 1 && f[1] == 'o')) {
      Errorf("illegal number syntax: " + GoQuote(s));
    }
    if (std::isinf(d)) Errorf("illegal number syntax: " + GoQuote(s));
    n->is_float = true;
    n->float_val = d;
    if (d == std::trunc(d) && std::fabs(d) < 9.2e18) {
      n->is_int = true;
      n->int_val = static_cast<int64_t>(d);
    }
    return n;
  }

  const ParseInput& in_;
  std::map<std::string, std::shared_ptr<Tree>, std::less<>>* trees_;
  std::map<std::string, std::shared_ptr<Tree>, std::less<>> local_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  size_t max_seen_ = 0;
  std::vector<std::string> vars_;
  int range_depth_ = 0;
  int action_line_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string NodeString(const Node& n) {
  std::string s;
  WriteNode(s, n);
  return s;
}

absl::Status ParseTemplates(const ParseInput& in,
                            std::map<std::string, std::shared_ptr<Tree>, std::less<>>* trees) {
  Parser p(in, trees);
  try {
    p.Parse();
  } catch (const ParseError& e) {
    return absl::InvalidArgumentError(e.msg);
  }
  p.Commit();
  return absl::OkStatus();
}

}  // namespace pharos::tmpl
