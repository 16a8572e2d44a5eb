// A small YAML document builder and printer that writes in the style of Go's
// yaml.v2 (what Prometheus' /api/v1/status/config shows): two-space
// indentation, sequences at the indentation of their key, plain scalars where
// they read back as the same string, quotes otherwise.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pharos::config {

class YamlOut {
 public:
  enum class Kind { kScalar, kMap, kSeq, kFlowSeq };

  static YamlOut Str(std::string_view s);  // a string (quoted when needed)
  static YamlOut Raw(std::string_view s);  // printed as is (numbers, bools)
  static YamlOut Bool(bool b) { return Raw(b ? "true" : "false"); }
  static YamlOut Map() { return YamlOut(Kind::kMap); }
  static YamlOut Seq() { return YamlOut(Kind::kSeq); }
  static YamlOut FlowSeq() { return YamlOut(Kind::kFlowSeq); }

  // Map entries / sequence items, in order.
  YamlOut& Add(std::string_view key, YamlOut value);
  YamlOut& Push(YamlOut item);
  bool empty() const { return children_.empty(); }

  std::string Print() const;

 private:
  explicit YamlOut(Kind k) : kind_(k) {}
  void PrintMap(std::string* out, int indent, bool inline_first) const;
  void PrintSeq(std::string* out, int indent) const;
  void PrintValueAfterKey(std::string* out, int indent) const;

  Kind kind_ = Kind::kScalar;
  std::string text_;      // scalar, formatted for block context
  std::string raw_flow_;  // scalar, formatted for a flow sequence
  std::vector<std::pair<std::string, YamlOut>> children_;  // key is "" in sequences
};

// A string formatted as yaml.v2 would print it (plain, '...' or "...").
std::string FormatYamlString(std::string_view s, bool flow);

// Helpers of the configuration dumps (prometheus.yml, alertmanager.yml).
// A block sequence of strings.
YamlOut StrList(const std::vector<std::string>& v);
// Adds key: v when v is set (non-empty).
void AddIf(YamlOut& m, std::string_view key, const std::string& v);
// Adds key: <secret> when v is set: secrets are never printed.
void AddSecret(YamlOut& m, std::string_view key, const std::string& v);

}  // namespace pharos::config
