#include "config/yaml_node.h"

#include <exception>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "config/quote.h"
#include "config/yaml_scalar.h"

namespace pharos::config {

struct YamlDocument::State {
  std::string filename;
  YamlLimits limits;
  size_t visited = 0;
};

namespace {

const std::string kEmpty;

std::string Position(const std::string& file, const YAML::Mark& m) {
  // yaml-cpp counts from 0; editors from 1. A null mark (-1) reads as 1:1.
  int line = m.line < 0 ? 1 : m.line + 1;
  int col = m.column < 0 ? 1 : m.column + 1;
  return absl::StrCat(file, ":", line, ":", col);
}

}  // namespace

absl::StatusOr<YamlDocument> YamlDocument::Parse(std::string_view text, std::string_view filename,
                                                 const YamlLimits& limits) {
  if (text.size() > limits.max_document_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(filename), ": document of ", text.size(), " bytes exceeds the limit of ",
                     limits.max_document_bytes, " bytes"));
  }
  // Go's YAML reader accepts only UTF-8; so do we (yaml-cpp alone would
  // pass stray bytes through).
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < bad; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(AV(filename), ":", line, ":", bad - line_start + 1,
                                                   ": invalid UTF-8 byte 0x",
                                                   absl::Hex(static_cast<unsigned char>(text[bad]))));
  }
  YamlDocument doc;
  doc.state_ = std::make_shared<State>();
  doc.state_->filename = std::string(filename);
  doc.state_->limits = limits;
  try {
    doc.root_ = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Position(doc.state_->filename, e.mark), ": ", e.msg));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(AV(filename), ": ", e.what()));
  }
  return doc;
}

YamlNode YamlDocument::root() const { return YamlNode(root_, state_, 0); }

bool YamlNode::IsNull() const { return !node_.IsDefined() || node_.IsNull(); }
bool YamlNode::IsScalar() const { return node_.IsDefined() && node_.IsScalar(); }
bool YamlNode::IsSequence() const { return node_.IsDefined() && node_.IsSequence(); }
bool YamlNode::IsMap() const { return node_.IsDefined() && node_.IsMap(); }
bool YamlNode::IsQuoted() const { return IsScalar() && node_.Tag() == "!"; }

const std::string& YamlNode::Scalar() const { return IsScalar() ? node_.Scalar() : kEmpty; }

std::string_view YamlNode::KindName() const {
  if (IsNull()) return "!!null";
  if (IsSequence()) return "!!seq";
  if (IsMap()) return "!!map";
  if (IsQuoted()) return "!!str";
  const std::string& tag = node_.Tag();
  if (tag == "tag:yaml.org,2002:str") return "!!str";
  return ResolvePlainKind(node_.Scalar());
}

int YamlNode::line() const {
  if (line_ > 0) return line_;
  YAML::Mark m = node_.IsDefined() ? node_.Mark() : YAML::Mark::null_mark();
  return m.line < 0 ? 1 : m.line + 1;
}

int YamlNode::column() const {
  if (column_ > 0) return column_;
  YAML::Mark m = node_.IsDefined() ? node_.Mark() : YAML::Mark::null_mark();
  return m.column < 0 ? 1 : m.column + 1;
}

const std::string& YamlNode::filename() const { return state_->filename; }

std::string YamlNode::Where() const {
  return absl::StrCat(state_->filename, ":", line(), ":", column());
}

absl::Status YamlNode::Error(std::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat(Where(), ": ", AV(what)));
}

absl::Status YamlNode::TypeError(std::string_view go_type) const {
  std::string_view kind = KindName();
  if (IsScalar()) {
    return Error(absl::StrCat("cannot unmarshal ", AV(kind), " `", Scalar(), "` into ", AV(go_type)));
  }
  return Error(absl::StrCat("cannot unmarshal ", AV(kind), " into ", AV(go_type)));
}

absl::Status YamlNode::Descend() const {
  if (depth_ + 1 > state_->limits.max_depth) {
    return Error(absl::StrCat("nesting deeper than ", state_->limits.max_depth, " levels"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<YamlNode>> YamlNode::Items() const {
  std::vector<YamlNode> out;
  if (IsNull()) return out;
  if (!IsSequence()) return TypeError("a list");
  if (absl::Status s = Descend(); !s.ok()) return s;
  YamlDocument::State& st = *state_;
  if (st.visited + node_.size() > st.limits.max_nodes) {
    return Error(absl::StrCat("document has more than ", st.limits.max_nodes,
                              " nodes (counting each use of an alias)"));
  }
  st.visited += node_.size();
  out.reserve(node_.size());
  for (const YAML::Node& child : node_) {
    YamlNode item(child, state_, depth_ + 1);
    out.push_back(item.IsNull() ? item.WithPosition(line(), column()) : item);
  }
  return out;
}

absl::StatusOr<std::vector<YamlEntry>> YamlNode::Entries(bool allow_duplicates) const {
  std::vector<YamlEntry> out;
  if (IsNull()) return out;
  if (!IsMap()) return TypeError("a mapping");
  if (absl::Status s = Descend(); !s.ok()) return s;
  YamlDocument::State& st = *state_;
  if (st.visited + 2 * node_.size() > st.limits.max_nodes) {
    return Error(absl::StrCat("document has more than ", st.limits.max_nodes,
                              " nodes (counting each use of an alias)"));
  }
  st.visited += 2 * node_.size();
  out.reserve(node_.size());
  absl::flat_hash_map<std::string_view, int> seen;  // key -> line of its first use
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    YamlNode key(it->first, state_, depth_ + 1);
    if (!key.IsScalar()) return key.Error("mapping keys must be plain strings");
    if (!allow_duplicates) {
      auto [where, fresh] = seen.emplace(key.Scalar(), key.line());
      if (!fresh) {
        return key.Error(absl::StrCat("mapping key \"", key.Scalar(), "\" already defined at line ",
                                      where->second));
      }
    }
    YamlNode value(it->second, state_, depth_ + 1);
    if (value.IsNull()) value = value.WithPosition(key.line(), key.column());
    out.push_back(YamlEntry{key, value});
  }
  return out;
}

}  // namespace pharos::config
