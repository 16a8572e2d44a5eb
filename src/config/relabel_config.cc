#include "config/relabel_config.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "config/quote.h"
#include "config/yaml_map.h"
#include "re2/re2.h"

namespace pharos::config {
namespace {

struct ActionName {
  RelabelAction action;
  std::string_view name;
};
constexpr ActionName kActions[] = {
    {RelabelAction::kReplace, "replace"},     {RelabelAction::kKeep, "keep"},
    {RelabelAction::kDrop, "drop"},           {RelabelAction::kKeepEqual, "keepequal"},
    {RelabelAction::kDropEqual, "dropequal"}, {RelabelAction::kHashMod, "hashmod"},
    {RelabelAction::kLabelMap, "labelmap"},   {RelabelAction::kLabelDrop, "labeldrop"},
    {RelabelAction::kLabelKeep, "labelkeep"}, {RelabelAction::kLowercase, "lowercase"},
    {RelabelAction::kUppercase, "uppercase"},
};

bool HasRegexMeta(std::string_view s) {
  for (unsigned char c : s) {
    if (std::strchr("\\.+*?()|[]{}^$", c) != nullptr || c >= 0x80 || c < 0x20) return true;
  }
  return false;
}

const RE2& RelabelTargetRegex() {
  // A name made of letters, digits and underscores in which $name / ${name}
  // references may stand for parts.
  static const RE2* re = new RE2(R"(^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$)");
  return *re;
}

}  // namespace

std::string_view RelabelActionName(RelabelAction a) {
  for (const auto& n : kActions) {
    if (n.action == a) return n.name;
  }
  return "unknown";
}

std::optional<RelabelAction> ParseRelabelAction(std::string_view s) {
  std::string lower = absl::AsciiStrToLower(AV(s));
  for (const auto& n : kActions) {
    if (n.name == lower) return n.action;
  }
  return std::nullopt;
}

absl::StatusOr<RelabelRegex> RelabelRegex::Compile(std::string_view pattern) {
  RelabelRegex r;
  r.pattern_ = std::string(pattern);
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<RE2>(absl::StrCat("^(?:", AV(pattern), ")$"), opts);
  if (!re->ok()) {
    // Validity is the anchored form's (as Prometheus compiles it); the bare
    // pattern, as the user wrote it, gives the clearer reason.
    RE2 bare(re2::StringPiece(pattern.data(), pattern.size()), opts);
    std::string why = bare.ok() ? re->error() : bare.error();
    return absl::InvalidArgumentError(absl::StrCat("invalid regex ", GoQuote(pattern), ": ", why));
  }
  r.num_groups_ = re->NumberOfCapturingGroups();
  r.re_ = std::move(re);
  // Recognise the shapes that need no regex engine. A single capturing group
  // around the whole pattern captures the whole input, which the fast paths
  // give too.
  std::string_view inner = pattern;
  if (r.num_groups_ == 1 && inner.size() >= 2 && inner.front() == '(' && inner.back() == ')' &&
      inner.find_first_of("()", 1) == inner.size() - 1) {
    inner = inner.substr(1, inner.size() - 2);
  }
  const int inner_groups = inner.size() == pattern.size() ? r.num_groups_ : r.num_groups_ - 1;
  if (inner_groups == 0) {
    if (inner == ".*") {
      r.kind_ = Kind::kAnyLine;
    } else if (!HasRegexMeta(inner)) {
      r.kind_ = Kind::kLiteral;
      r.literals_ = {std::string(inner)};
    } else if (inner.size() > 2 && inner.ends_with(".*") && !HasRegexMeta(inner.substr(0, inner.size() - 2))) {
      r.kind_ = Kind::kPrefix;
      r.literals_ = {std::string(inner.substr(0, inner.size() - 2))};
    } else {
      std::vector<std::string> parts = absl::StrSplit(AV(inner), '|');
      bool literal = parts.size() > 1;
      for (const auto& p : parts) literal = literal && !HasRegexMeta(p);
      if (literal) {
        std::sort(parts.begin(), parts.end());
        r.kind_ = Kind::kLiteralSet;
        r.literals_ = std::move(parts);
      }
    }
  }
  return r;
}

const RelabelRegex& RelabelRegex::Default() {
  static const RelabelRegex* def = new RelabelRegex(*Compile("(.*)"));
  return *def;
}

int RelabelRegex::GroupIndex(std::string_view name) const {
  const auto& named = re_->NamedCapturingGroups();
  auto it = named.find(std::string(name));
  return it == named.end() ? -1 : it->second;
}

bool RelabelRegex::Matches(std::string_view s) const {
  switch (kind_) {
    case Kind::kAnyLine:
      return std::memchr(s.data(), '\n', s.size()) == nullptr;
    case Kind::kLiteral:
      return s == literals_[0];
    case Kind::kLiteralSet:
      return std::binary_search(literals_.begin(), literals_.end(), s);
    case Kind::kPrefix:
      return s.starts_with(literals_[0]) &&
             std::memchr(s.data() + literals_[0].size(), '\n', s.size() - literals_[0].size()) == nullptr;
    case Kind::kGeneral:
      break;
  }
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re_);
}

bool RelabelRegex::Match(std::string_view s, std::string_view* groups, int n) const {
  if (kind_ != Kind::kGeneral) {
    if (!Matches(s)) return false;
    // A fast shape has no group or one around everything.
    for (int i = 0; i < n; ++i) groups[i] = (i <= num_groups_) ? s : std::string_view();
    return true;
  }
  constexpr int kStack = 16;
  std::array<re2::StringPiece, kStack> stack;
  std::vector<re2::StringPiece> heap;
  re2::StringPiece* sub = stack.data();
  if (n > kStack) {
    heap.resize(n);
    sub = heap.data();
  }
  if (!re_->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, sub, n)) {
    return false;
  }
  for (int i = 0; i < n; ++i) groups[i] = std::string_view(sub[i].data(), sub[i].size());
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsValidRelabelTemplate(std::string_view target) {
  return RE2::FullMatch(re2::StringPiece(target.data(), target.size()), RelabelTargetRegex());
}

absl::Status RelabelConfig::Validate() const {
  using A = RelabelAction;
  const std::string_view name = RelabelActionName(action);
  auto is = [&](std::initializer_list<A> set) {
    for (A a : set) {
      if (a == action) return true;
    }
    return false;
  };
  auto bad_target = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(GoQuote(target_label), " is invalid 'target_label' for ", AV(name), " action"));
  };
  if (modulus == 0 && action == A::kHashMod) {
    return absl::InvalidArgumentError("relabel configuration for hashmod requires non-zero modulus");
  }
  if (is({A::kReplace, A::kHashMod, A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual}) &&
      target_label.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("relabel configuration for ", AV(name),
                                                   " action requires 'target_label' value"));
  }
  if (action == A::kReplace) {
    bool templated = target_label.find('$') != std::string::npos;
    if (templated ? !IsValidRelabelTemplate(target_label) : !IsValidLabelName(target_label)) {
      return bad_target();
    }
  }
  if (is({A::kLowercase, A::kUppercase, A::kKeepEqual, A::kDropEqual})) {
    if (!IsValidLabelName(target_label)) return bad_target();
    if (replacement != "$1") {
      return absl::InvalidArgumentError(
          absl::StrCat("'replacement' can not be set for ", AV(name), " action"));
    }
  }
  if (action == A::kLabelMap && !IsValidRelabelTemplate(replacement)) {
    return absl::InvalidArgumentError(
        absl::StrCat(GoQuote(replacement), " is invalid 'replacement' for ", AV(name), " action"));
  }
  if (action == A::kHashMod && !IsValidLabelName(target_label)) return bad_target();
  if (is({A::kKeepEqual, A::kDropEqual}) &&
      (regex_written || modulus != 0 || separator != ";" || replacement != "$1")) {
    return absl::InvalidArgumentError(absl::StrCat(
        AV(name), " action requires only 'source_labels' and `target_label`, and no other fields"));
  }
  if (is({A::kLabelDrop, A::kLabelKeep}) &&
      (source_labels_written || !target_label.empty() || modulus != 0 || separator != ";" ||
       replacement != "$1")) {
    return absl::InvalidArgumentError(
        absl::StrCat(AV(name), " action requires only 'regex', and no other fields"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RelabelConfig> ParseRelabelConfig(const YamlNode& node) {
  RelabelConfig c;
  absl::Status s = ReadMap(
      node, "relabel_config",
      {
          {"source_labels",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar()) return v.TypeError("model.LabelNames");
             auto items = v.Items();
             if (!items.ok()) return items.status();
             c.source_labels.clear();
             c.source_labels_written = !v.IsNull();
             for (const YamlNode& item : *items) {
               auto name = ReadString(item);
               if (!name.ok()) return name.status();
               if (!IsValidLabelName(*name)) {
                 return item.Error(absl::StrCat(GoQuote(*name), " is not a valid label name"));
               }
               c.source_labels.push_back(std::move(*name));
             }
             return absl::OkStatus();
           }},
          {"separator", Into(&c.separator)},
          {"regex",
           [&](const YamlNode& v) -> absl::Status {
             auto pattern = ReadString(v);
             if (!pattern.ok()) return pattern.status();
             auto re = RelabelRegex::Compile(*pattern);
             if (!re.ok()) return v.Error(SV(re.status().message()));
             c.regex = std::move(*re);
             c.regex_written = true;
             return absl::OkStatus();
           }},
          {"modulus", Into(&c.modulus)},
          {"target_label", Into(&c.target_label)},
          {"replacement", Into(&c.replacement)},
          {"action",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsNull()) return v.Error("relabel action cannot be empty");
             auto text = ReadString(v);
             if (!text.ok()) return text.status();
             auto a = ParseRelabelAction(*text);
             if (!a) return v.Error(absl::StrCat("unknown relabel action ", GoQuote(*text)));
             c.action = *a;
             return absl::OkStatus();
           }},
      });
  if (!s.ok()) return s;
  if (absl::Status v = c.Validate(); !v.ok()) return node.Error(SV(v.message()));
  return c;
}

absl::StatusOr<std::vector<RelabelConfig>> ParseRelabelConfigs(const YamlNode& list,
                                                               std::string_view null_item_error) {
  std::vector<RelabelConfig> out;
  if (list.IsScalar() || list.IsMap()) return list.TypeError("[]*relabel.Config");
  auto items = list.Items();
  if (!items.ok()) return items.status();
  out.reserve(items->size());
  for (const YamlNode& item : *items) {
    if (item.IsNull()) return item.Error(null_item_error);
    auto c = ParseRelabelConfig(item);
    if (!c.ok()) return c.status();
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace pharos::config

namespace pharos::config {

std::function<absl::Status(const YamlNode&)> IntoRelabelConfigs(std::vector<RelabelConfig>* out,
                                                                std::string_view null_item_error) {
  return IntoParsed(out, [msg = std::string(null_item_error)](const YamlNode& v) {
    return ParseRelabelConfigs(v, msg);
  });
}

}  // namespace pharos::config
