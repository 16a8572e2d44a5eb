// A strict, bounded view of a YAML document for the config loaders.
//
// YamlDocument::Parse runs yaml-cpp once (its exceptions are caught here and
// turned into absl::Status) and hands out YamlNode handles. Every error made
// through a node carries its position as an editor shows it:
//
//   FILE:LINE:COL: what was wrong
//
// (1-based line and column). Walking is bounded: the document size, the
// nesting depth and the number of nodes visited (aliases are visited each time
// they are used, so "billion laughs" documents stop at the budget).
//
// Threading: a document and its nodes belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "yaml-cpp/yaml.h"

namespace pharos::config {

struct YamlLimits {
  size_t max_document_bytes = 16u << 20;  // 16 MiB
  int max_depth = 64;                      // nested mappings/sequences
  size_t max_nodes = 2'000'000;            // nodes visited during one walk
};

class YamlNode;

// One parsed document. Nodes handed out keep the document alive.
class YamlDocument {
 public:
  // Parses `text`; `filename` is only used in messages. A syntax error is
  // InvalidArgument "FILE:LINE:COL: <yaml-cpp's message>". An empty document
  // yields a null root.
  static absl::StatusOr<YamlDocument> Parse(std::string_view text, std::string_view filename,
                                            const YamlLimits& limits = {});

  YamlNode root() const;

 private:
  friend class YamlNode;
  struct State;
  std::shared_ptr<State> state_;
  YAML::Node root_;
};

// A key/value pair of a mapping, in document order.
struct YamlEntry;

class YamlNode {
 public:
  YamlNode(const YamlNode&) = default;
  YamlNode(YamlNode&&) = default;
  // Rebinds this handle to `o`'s node. (yaml-cpp's own Node assignment
  // writes through to the node referred to, which would change the
  // document: `where = other_node` must never edit what `where` showed.)
  YamlNode& operator=(const YamlNode& o) {
    node_.reset(o.node_);
    state_ = o.state_;
    depth_ = o.depth_;
    line_ = o.line_;
    column_ = o.column_;
    return *this;
  }
  YamlNode& operator=(YamlNode&& o) { return *this = static_cast<const YamlNode&>(o); }

  bool IsNull() const;  // absent value, "~", "null", or nothing after "key:"
  bool IsScalar() const;
  bool IsSequence() const;
  bool IsMap() const;
  // True for a scalar written in quotes ('x' or "x"): never a bool, number or null.
  bool IsQuoted() const;
  // The scalar's text ("" for non-scalars).
  const std::string& Scalar() const;
  // The YAML kind for messages: "!!str", "!!int", "!!bool", "!!float",
  // "!!null", "!!seq", "!!map" (as Go's YAML decoder names them).
  std::string_view KindName() const;

  int line() const;    // 1-based
  int column() const;  // 1-based
  const std::string& filename() const;
  // "FILE:LINE:COL"
  std::string Where() const;
  // InvalidArgument("FILE:LINE:COL: what").
  absl::Status Error(std::string_view what) const;
  // The standard type mismatch: "cannot unmarshal !!str `x` into bool".
  absl::Status TypeError(std::string_view go_type) const;

  // The items of a sequence (a null node is an empty sequence). Fails on
  // another kind, past the depth limit or the node budget.
  absl::StatusOr<std::vector<YamlNode>> Items() const;
  // The entries of a mapping in document order (a null node is empty).
  // Keys must be scalars and unique ("mapping key \"k\" already defined at
  // line N"), unless `allow_duplicates` (then all are returned).
  absl::StatusOr<std::vector<YamlEntry>> Entries(bool allow_duplicates = false) const;

 private:
  friend class YamlDocument;
  YamlNode(YAML::Node node, std::shared_ptr<YamlDocument::State> state, int depth)
      : node_(std::move(node)), state_(std::move(state)), depth_(depth) {}
  absl::Status Descend() const;
  // A null value has no text of its own; yaml-cpp marks it where the next
  // token starts. It reads better at its key or at its list's dash.
  YamlNode WithPosition(int line, int column) const {
    YamlNode n = *this;
    n.line_ = line;
    n.column_ = column;
    return n;
  }

  YAML::Node node_;
  std::shared_ptr<YamlDocument::State> state_;
  int depth_ = 0;
  int line_ = 0;  // 1-based position override; 0 = from the node
  int column_ = 0;
};

struct YamlEntry {
  YamlNode key;
  YamlNode value;
  const std::string& name() const { return key.Scalar(); }
};

}  // namespace pharos::config
