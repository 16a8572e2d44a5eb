#include "template/alertmanager_funcs.h"

#include "absl/strings/str_cat.h"
#include "template/go_time.h"
#include "template/string_funcs.h"

namespace pharos::tmpl {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Value MakePair(const std::string& name, const std::string& value) {
  return Value::FromObject(std::make_shared<StructObject>(
      "template.Pair",
      std::vector<std::pair<std::string, Value>>{{"Name", Value::String(name)}, {"Value", Value::String(value)}}));
}

std::string PairsString(const Pairs& ps) {
  std::string out;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i > 0) out += ", ";
    out += ps[i].first;
    out += '=';
    out += ps[i].second;
  }
  return out;
}

absl::StatusOr<Value> NoArgs(std::string_view name, std::span<const Value> args, Value v) {
  if (!args.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("wrong number of args for ", std::string(name), ": want 0 got ",
                                                   args.size()));
  }
  return v;
}

// template.Pairs: a list of Pair with Names, Values and String.
class PairsObject : public Object {
 public:
  explicit PairsObject(Pairs ps) : pairs_(std::move(ps)) {
    ValueList l;
    for (const auto& [n, v] : pairs_) l.push_back(MakePair(n, v));
    list_ = Value::List(std::move(l));
  }
  std::string TypeName() const override { return "template.Pairs"; }
  bool IsMethod(std::string_view name) const override {
    return name == "Names" || name == "Values" || name == "String";
  }
  std::optional<absl::StatusOr<Value>> Member(std::string_view name, std::span<const Value> args) const override {
    if (name == "Names" || name == "Values") {
      std::vector<std::string> out;
      for (const auto& [n, v] : pairs_) out.push_back(name == "Names" ? n : v);
      return NoArgs(name, args, Value::StringList(out));
    }
    if (name == "String") return NoArgs(name, args, Value::String(PairsString(pairs_)));
    return std::nullopt;
  }
  const Value* Underlying() const override { return &list_; }
  std::string Print() const override { return PairsString(pairs_); }

 private:
  Pairs pairs_;
  Value list_;
};

// template.KV: a map[string]string with SortedPairs, Remove, Names, Values
// and String.
class KVObject : public Object {
 public:
  explicit KVObject(std::map<std::string, std::string> kv) : kv_(std::move(kv)), map_(Value::StringMap(kv_)) {}
  std::string TypeName() const override { return "template.KV"; }
  bool IsMethod(std::string_view name) const override {
    return name == "SortedPairs" || name == "Remove" || name == "Names" || name == "Values" || name == "String";
  }
  std::optional<absl::StatusOr<Value>> Member(std::string_view name, std::span<const Value> args) const override {
    if (name == "SortedPairs") return NoArgs(name, args, Value::FromObject(std::make_shared<PairsObject>(Sorted())));
    if (name == "Names" || name == "Values") {
      std::vector<std::string> out;
      for (const auto& [n, v] : Sorted()) out.push_back(name == "Names" ? n : v);
      return NoArgs(name, args, Value::StringList(out));
    }
    if (name == "String") return NoArgs(name, args, Value::String(PairsString(Sorted())));
    if (name == "Remove") {
      if (args.size() != 1) {
        return absl::StatusOr<Value>(absl::InvalidArgumentError(
            absl::StrCat("wrong number of args for Remove: want 1 got ", args.size())));
      }
      const Value* c = args[0].Collection();
      if (!args[0].is_nil() && (c == nullptr || c->kind() != Value::Kind::kList || c->elem_type() != ElemType::kString)) {
        return absl::StatusOr<Value>(
            absl::InvalidArgumentError("wrong type for value; expected []string; got " + args[0].TypeName()));
      }
      std::map<std::string, std::string> rest = kv_;
      if (c != nullptr) {
        for (const auto& k : c->AsList()) rest.erase(k.AsString());
      }
      return absl::StatusOr<Value>(MakeKV(rest));
    }
    return std::nullopt;
  }
  const Value* Underlying() const override { return &map_; }
  std::string Print() const override { return PairsString(Sorted()); }

 private:
  // alertname first, then the other names sorted.
  Pairs Sorted() const {
    Pairs out;
    auto it = kv_.find("alertname");
    if (it != kv_.end()) out.emplace_back(it->first, it->second);
    for (const auto& [k, v] : kv_) {
      if (k != "alertname") out.emplace_back(k, v);
    }
    return out;
  }

  std::map<std::string, std::string> kv_;
  Value map_;
};

// template.Alerts: a list of Alert with Firing and Resolved.
class AlertsObject : public Object {
 public:
  AlertsObject(ValueList alerts, std::vector<std::string> statuses)
      : list_(Value::List(std::move(alerts))), statuses_(std::move(statuses)) {}
  std::string TypeName() const override { return "template.Alerts"; }
  bool IsMethod(std::string_view name) const override { return name == "Firing" || name == "Resolved"; }
  std::optional<absl::StatusOr<Value>> Member(std::string_view name, std::span<const Value> args) const override {
    if (name != "Firing" && name != "Resolved") return std::nullopt;
    std::string want = name == "Firing" ? "firing" : "resolved";
    ValueList out;
    for (size_t i = 0; i < statuses_.size(); ++i) {
      if (statuses_[i] == want) out.push_back(list_.AsList()[i]);
    }
    return NoArgs(name, args, Value::List(std::move(out)));
  }
  const Value* Underlying() const override { return &list_; }
  std::string Print() const override { return PrintValue(list_); }

 private:
  Value list_;
  std::vector<std::string> statuses_;
};

Value TimeValue(absl::Time t) {
  if (t == absl::InfinitePast()) return TimeObject::Zero();
  int64_t ns = absl::ToUnixNanos(t);
  int64_t sec = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --sec;
  }
  return TimeObject::Make(sec, static_cast<int32_t>(rem));
}

}  // namespace

Value MakeKV(const std::map<std::string, std::string>& kv) { return Value::FromObject(std::make_shared<KVObject>(kv)); }

Value AlertmanagerData(const AmData& d) {
  ValueList alerts;
  std::vector<std::string> statuses;
  for (const auto& a : d.alerts) {
    alerts.push_back(Value::FromObject(std::make_shared<StructObject>(
        "template.Alert", std::vector<std::pair<std::string, Value>>{
                              {"Status", Value::String(a.status)},
                              {"Labels", MakeKV(a.labels)},
                              {"Annotations", MakeKV(a.annotations)},
                              {"StartsAt", TimeValue(a.starts_at)},
                              {"EndsAt", TimeValue(a.ends_at)},
                              {"GeneratorURL", Value::String(a.generator_url)},
                              {"Fingerprint", Value::String(a.fingerprint)},
                          })));
    statuses.push_back(a.status);
  }
  return Value::FromObject(std::make_shared<StructObject>(
      "*template.Data",
      std::vector<std::pair<std::string, Value>>{
          {"Receiver", Value::String(d.receiver)},
          {"Status", Value::String(d.status)},
          {"Alerts", Value::FromObject(std::make_shared<AlertsObject>(std::move(alerts), std::move(statuses)))},
          {"GroupLabels", MakeKV(d.group_labels)},
          {"CommonLabels", MakeKV(d.common_labels)},
          {"CommonAnnotations", MakeKV(d.common_annotations)},
          {"ExternalURL", Value::String(d.external_url)},
      }));
}

void AddAlertmanagerFuncs(TemplateSet& set) {
  FuncMap m;
  AddCommonStringFuncs(m);
  Function title;
  title.params = {ArgType::kString};
  title.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::String(TitleCase(a[0].AsString(), true));
  };
  m["title"] = title;
  Function trim;
  trim.params = {ArgType::kString};
  trim.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const std::string& s = a[0].AsString();
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
    size_t b = 0, e = s.size();
    while (b < e && space(s[b])) ++b;
    while (e > b && space(s[e - 1])) --e;
    return Value::String(s.substr(b, e - b));
  };
  m["trimSpace"] = trim;
  Function join;
  join.params = {ArgType::kString, ArgType::kStringList};
  join.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    std::string out;
    bool first = true;
    for (const auto& v : a[1].AsList()) {
      if (!first) out += a[0].AsString();
      first = false;
      out += v.AsString();
    }
    return Value::String(out);
  };
  m["join"] = join;
  Function slice;
  slice.params = {ArgType::kString};
  slice.variadic = true;
  slice.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    return Value::List(ValueList(a.begin(), a.end()), ElemType::kString);
  };
  m["stringSlice"] = slice;
  set.AddFuncs(m);
}

}  // namespace pharos::tmpl
