#include "config/target_group.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/quote.h"
#include "config/relabel_config.h"
#include "config/yaml_map.h"

namespace pharos::config {
namespace {

// JSON strings are always quoted; Go's decoder refuses a number or a bool
// where a string belongs.
absl::StatusOr<std::string> ReadText(const YamlNode& n, TargetGroupSyntax syntax) {
  if (syntax == TargetGroupSyntax::kJson && n.IsScalar() && !n.IsQuoted()) {
    return n.Error(absl::StrCat("json: cannot unmarshal ", n.Scalar(), " into a string"));
  }
  return ReadString(n);
}

absl::Status ReadTargets(const YamlNode& v, TargetGroupSyntax syntax, TargetGroup* g) {
  if (v.IsScalar() || v.IsMap()) return v.TypeError("[]string");
  ASSIGN_OR_RETURN(auto items, v.Items());
  g->targets.clear();
  g->targets.reserve(items.size());
  for (const YamlNode& item : items) {
    if (!item.IsScalar() && !item.IsNull()) return item.TypeError("string");
    ASSIGN_OR_RETURN(std::string addr, ReadText(item, syntax));
    g->targets.push_back(Labels::FromSorted({Label{std::string(kAddressLabel), std::move(addr)}}));
  }
  return absl::OkStatus();
}

absl::Status ReadLabels(const YamlNode& v, TargetGroupSyntax syntax, TargetGroup* g) {
  if (v.IsScalar() || v.IsSequence()) return v.TypeError("model.LabelSet");
  // Go's JSON decoder keeps the last of repeated keys; YAML refuses them.
  ASSIGN_OR_RETURN(auto entries, v.Entries(syntax == TargetGroupSyntax::kJson));
  std::vector<Label> pairs;
  pairs.reserve(entries.size());
  for (const YamlEntry& e : entries) {
    if (!IsValidLabelName(e.name())) {
      return e.key.Error(absl::StrCat(GoQuote(e.name()), " is not a valid label name"));
    }
    if (!e.value.IsScalar() && !e.value.IsNull()) return e.value.TypeError("model.LabelValue");
    ASSIGN_OR_RETURN(std::string value, ReadText(e.value, syntax));
    pairs.push_back(Label{e.name(), std::move(value)});
  }
  g->labels = Labels::FromUnsorted(std::move(pairs));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TargetGroup> ParseTargetGroup(const YamlNode& node, TargetGroupSyntax syntax) {
  TargetGroup g;
  auto unknown = [syntax](const YamlEntry&) -> absl::Status {
    // encoding/json ignores fields it does not know.
    return syntax == TargetGroupSyntax::kJson ? absl::OkStatus() : absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(node, "targetgroup",
                          {
                              {"targets", [&](const YamlNode& v) { return ReadTargets(v, syntax, &g); }},
                              {"labels", [&](const YamlNode& v) { return ReadLabels(v, syntax, &g); }},
                          },
                          unknown));
  return g;
}

absl::StatusOr<std::vector<TargetGroup>> ParseTargetGroups(const YamlNode& list, TargetGroupSyntax syntax,
                                                           std::string_view source_prefix) {
  std::vector<TargetGroup> out;
  if (list.IsScalar() || list.IsMap()) return list.TypeError("[]*targetgroup.Group");
  ASSIGN_OR_RETURN(auto items, list.Items());
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].IsNull()) return items[i].Error("nil target group item found");
    ASSIGN_OR_RETURN(TargetGroup g, ParseTargetGroup(items[i], syntax));
    g.source = source_prefix.empty() ? absl::StrCat(i) : absl::StrCat(AV(source_prefix), ":", i);
    out.push_back(std::move(g));
  }
  return out;
}

absl::StatusOr<std::vector<TargetGroup>> ParseStaticConfigs(const YamlNode& list) {
  return ParseTargetGroups(list, TargetGroupSyntax::kYaml, "");
}

absl::Status CheckTargetAddresses(const std::vector<TargetGroup>& groups, const YamlNode& where) {
  for (const TargetGroup& g : groups) {
    for (const Labels& t : g.targets) {
      std::string_view addr = t.Get(kAddressLabel);
      if (addr.find('/') != std::string_view::npos) {
        return where.Error(absl::StrCat(GoQuote(addr), " is not a valid hostname"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace pharos::config
