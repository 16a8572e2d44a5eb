// Parse trees of templates (internal to the template domain). One Node type
// with a kind tag keeps the executor a plain switch; fields not used by a
// kind stay empty.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pharos::tmpl {

enum class NodeType {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kTemplate,
  kVariable,
  kWith,
  kComment,
  kBreak,
  kContinue,
  kElse,
  kEnd,
};

struct Node {
  NodeType type;
  size_t pos = 0;
  int line = 0;

  // kText: the text; kString: the quoted source text; kNumber: the source
  // text; kIdentifier: the name; kTemplate: the template name.
  std::string text;
  std::string str;  // kString: the unquoted value
  bool boolean = false;

  // kNumber
  bool is_int = false, is_uint = false, is_float = false;
  int64_t int_val = 0;
  double float_val = 0;

  // kField (without dots), kVariable ("$x", then fields), kChain (fields).
  std::vector<std::string> idents;

  // kCommand: arguments; kList: items; kPipe: commands.
  std::vector<std::unique_ptr<Node>> children;
  // kPipe: declared variables (kVariable nodes).
  std::vector<std::unique_ptr<Node>> decls;
  bool is_assign = false;

  // kChain: the operand; kAction/kIf/kRange/kWith/kTemplate: the pipeline;
  // kIf/kRange/kWith: list and else_list.
  std::unique_ptr<Node> operand;
  std::unique_ptr<Node> pipe;
  std::unique_ptr<Node> list;
  std::unique_ptr<Node> else_list;

  explicit Node(NodeType t, size_t p = 0, int l = 0) : type(t), pos(p), line(l) {}
};

// Go's Node.String(): the source form of a node ("humanize $value",
// ".Labels.job", "{{else}}").
std::string NodeString(const Node& n);

// A parsed template: its root list and the text it was parsed from (for the
// line:column of execution errors).
struct Tree {
  std::string name;
  std::string parse_name;  // name of the template whose text this came from
  std::shared_ptr<const std::string> text;
  std::unique_ptr<Node> root;
};

// Go's parse.IsEmptyTree: only whitespace text and comments.
bool IsEmptyTree(const Node* n);

}  // namespace pharos::tmpl
