#include "template/prometheus_funcs.h"

#include "common/host_port.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/duration.h"
#include "common/strings.h"
#include "template/go_fmt.h"
#include "template/go_time.h"
#include "template/string_funcs.h"

namespace pharos::tmpl {
namespace {

// fmt.Sprintf("%.4g", v).
std::string G4(double v) {
  Value a[] = {Value::Float(v)};
  return GoSprintf("%.4g", a);
}

Value MakeSample(const QuerySample& s) {
  return Value::FromObject(std::make_shared<StructObject>(
      "*template.sample",
      std::vector<std::pair<std::string, Value>>{{"Labels", Value::StringMap(s.labels)},
                                                 {"Value", Value::Float(s.value)}}));
}

const StructObject* AsSample(const Value& v) {
  if (v.kind() != Value::Kind::kObject) return nullptr;
  const auto* s = dynamic_cast<const StructObject*>(v.AsObject());
  if (s == nullptr || s->TypeName() != "*template.sample") return nullptr;
  return s;
}

absl::Status NotSample(const Value& v) {
  return absl::InvalidArgumentError("wrong type for value; expected *template.sample; got " + v.TypeName());
}


bool IsIP(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string UrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  size_t start = 0;
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    if (slash == std::string_view::npos) return "";
    start = slash;
  }
  size_t end = url.find_first_of("?#", start);
  return std::string(url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

absl::StatusOr<Value> FloatToTime(double v) {
  if (std::isnan(v) || std::isinf(v)) return absl::InvalidArgumentError("value is NaN or Inf");
  double ts = v * 1e9;
  if (ts > 9.223372036854775807e18 || ts < -9.223372036854775808e18) {
    return absl::InvalidArgumentError(absl::StrCat(PrintValue(Value::Float(v)), " cannot be represented as a nanoseconds timestamp since it overflows int64"));
  }
  // model.TimeFromUnixNano keeps milliseconds.
  int64_t ms = static_cast<int64_t>(ts) / 1000000;
  int64_t sec = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    --sec;
  }
  return TimeObject::Make(sec, static_cast<int32_t>(rem * 1000000));
}

Function FloatFunc(std::function<absl::StatusOr<Value>(double)> f) {
  Function fn;
  fn.params = {ArgType::kAny};
  fn.fn = [f](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto v = ConvertToFloat(a[0]);
    if (!v.ok()) return v.status();
    return f(*v);
  };
  return fn;
}

Function StringFunc(std::function<std::string(std::string_view)> f) {
  Function fn;
  fn.params = {ArgType::kString};
  fn.fn = [f](std::span<const Value> a) -> absl::StatusOr<Value> { return Value::String(f(a[0].AsString())); };
  return fn;
}

}  // namespace

absl::StatusOr<double> ConvertToFloat(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kFloat:
      return v.AsFloat();
    case Value::Kind::kInt:
      return static_cast<double>(v.AsInt());
    case Value::Kind::kString: {
      const std::string& s = v.AsString();
      // strconv.ParseFloat: decimal, hex floats, Inf/NaN spellings, '_' only
      // with a base prefix; no leading/trailing space.
      std::string lower;
      for (char c : s) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      std::string_view body = lower;
      if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
      if (body == "inf" || body == "infinity") return lower[0] == '-' ? -INFINITY : INFINITY;
      if (body == "nan") return NAN;
      bool ok = !s.empty() && !std::isspace(static_cast<unsigned char>(s[0])) &&
                body.find_first_of("in") == std::string_view::npos && s.find('_') == std::string::npos;
      if (ok) {
        errno = 0;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end != s.c_str() && *end == '\0') {
          if (errno == ERANGE && std::isinf(d)) {
            return absl::InvalidArgumentError("strconv.ParseFloat: parsing \"" + s + "\": value out of range");
          }
          return d;
        }
      }
      return absl::InvalidArgumentError("strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
    }
    default:
      return absl::InvalidArgumentError("can't convert " + (v.is_nil() ? std::string("<nil>") : v.TypeName()) +
                                        " to float");
  }
}

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return G4(v);
  if (std::fabs(v) >= 1) {
    std::string prefix;
    for (const char* p : {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
    return G4(v) + prefix;
  }
  std::string prefix;
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return G4(v) + prefix;
}

std::string Humanize1024(double v) {
  if (std::fabs(v) <= 1 || std::isnan(v) || std::isinf(v)) return G4(v);
  std::string prefix;
  for (const char* p : {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
    if (std::fabs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return G4(v) + prefix;
}

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return G4(v);
  if (v == 0) return G4(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    int64_t d = v >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(v);
    int64_t seconds = d % 60;
    int64_t minutes = (d / 60) % 60;
    int64_t hours = (d / 60 / 60) % 24;
    int64_t days = d / 60 / 60 / 24;
    if (days != 0) return absl::StrCat(sign, days, "d ", hours, "h ", minutes, "m ", seconds, "s");
    if (hours != 0) return absl::StrCat(sign, hours, "h ", minutes, "m ", seconds, "s");
    if (minutes != 0) return absl::StrCat(sign, minutes, "m ", seconds, "s");
    return sign + G4(v) + "s";
  }
  std::string prefix;
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return G4(v) + prefix + "s";
}

Value AlertTemplateData(const std::map<std::string, std::string>& labels,
                        const std::map<std::string, std::string>& external_labels, std::string_view external_url,
                        double value) {
  return Value::FromObject(std::make_shared<StructObject>(
      "struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }",
      std::vector<std::pair<std::string, Value>>{{"Labels", Value::StringMap(labels)},
                                                 {"ExternalLabels", Value::StringMap(external_labels)},
                                                 {"ExternalURL", Value::String(std::string(external_url))},
                                                 {"Value", Value::Float(value)}}));
}

void AddPrometheusFuncs(TemplateSet& set, PrometheusFuncsOptions options) {
  FuncMap m;
  AddCommonStringFuncs(m);
  m["title"] = StringFunc([](std::string_view s) { return TitleCase(s, false); });


  Function first;
  first.params = {ArgType::kAny};
  first.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const Value* c = a[0].Collection();
    if (!a[0].is_nil() && (c == nullptr || c->kind() != Value::Kind::kList)) {
      return absl::InvalidArgumentError("wrong type for value; expected template.queryResult; got " + a[0].TypeName());
    }
    if (c != nullptr && !c->AsList().empty()) return c->AsList()[0];
    return absl::InvalidArgumentError("first() called on vector with no elements");
  };
  m["first"] = first;

  Function label;
  label.params = {ArgType::kString, ArgType::kAny};
  label.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const StructObject* s = AsSample(a[1]);
    if (s == nullptr) return NotSample(a[1]);
    const auto& m = s->Field("Labels")->AsMap();
    auto it = m.find(a[0].AsString());
    return it == m.end() ? Value::String("") : it->second;
  };
  m["label"] = label;

  Function value;
  value.params = {ArgType::kAny};
  value.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const StructObject* s = AsSample(a[0]);
    if (s == nullptr) return NotSample(a[0]);
    return *s->Field("Value");
  };
  m["value"] = value;

  Function strvalue;
  strvalue.params = {ArgType::kAny};
  strvalue.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const StructObject* s = AsSample(a[0]);
    if (s == nullptr) return NotSample(a[0]);
    const auto& m = s->Field("Labels")->AsMap();
    auto it = m.find("__value__");
    return it == m.end() ? Value::String("") : it->second;
  };
  m["strvalue"] = strvalue;

  Function sort_by_label;
  sort_by_label.params = {ArgType::kString, ArgType::kAny};
  sort_by_label.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    const Value* c = a[1].Collection();
    if (c == nullptr || c->kind() != Value::Kind::kList) {
      return absl::InvalidArgumentError("wrong type for value; expected template.queryResult; got " + a[1].TypeName());
    }
    ValueList l = c->AsList();
    std::string key = a[0].AsString();
    auto label_of = [&](const Value& v) -> std::string {
      const StructObject* s = AsSample(v);
      if (s == nullptr) return "";
      const auto& m = s->Field("Labels")->AsMap();
      auto it = m.find(key);
      return it == m.end() ? "" : it->second.AsString();
    };
    std::stable_sort(l.begin(), l.end(), [&](const Value& x, const Value& y) { return label_of(x) < label_of(y); });
    return Value::List(std::move(l));
  };
  m["sortByLabel"] = sort_by_label;

  Function args;
  args.params = {ArgType::kAny};
  args.variadic = true;
  args.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    ValueMap out;
    for (size_t i = 0; i < a.size(); ++i) out.emplace(absl::StrCat("arg", i), a[i]);
    return Value::Map(std::move(out));
  };
  m["args"] = args;

  m["stripPort"] = StringFunc([](std::string_view hp) {
    std::string_view host, port;
    if (!SplitHostPort(hp, &host, &port)) return std::string(hp);
    return std::string(host);
  });
  m["stripDomain"] = StringFunc([](std::string_view hp) {
    std::string_view host_view, port_view;
    if (!SplitHostPort(hp, &host_view, &port_view)) {
      host_view = hp;
      port_view = {};
    }
    std::string host(host_view), port(port_view);
    if (IsIP(host)) return std::string(hp);
    host = host.substr(0, host.find('.'));
    if (!port.empty()) {
      return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
    }
    return host;
  });

  m["humanize"] = FloatFunc([](double v) -> absl::StatusOr<Value> { return Value::String(Humanize(v)); });
  m["humanize1024"] = FloatFunc([](double v) -> absl::StatusOr<Value> { return Value::String(Humanize1024(v)); });
  m["humanizeDuration"] =
      FloatFunc([](double v) -> absl::StatusOr<Value> { return Value::String(HumanizeDuration(v)); });
  m["humanizePercentage"] =
      FloatFunc([](double v) -> absl::StatusOr<Value> { return Value::String(G4(v * 100) + "%"); });
  m["humanizeTimestamp"] = FloatFunc([](double v) -> absl::StatusOr<Value> {
    if (std::isnan(v) || std::isinf(v)) return Value::String(G4(v));
    auto t = FloatToTime(v);
    if (!t.ok()) return t.status();
    return Value::String(t->AsObject()->Print());
  });
  m["toTime"] = FloatFunc([](double v) -> absl::StatusOr<Value> { return FloatToTime(v); });

  std::string url = options.external_url;
  Function external_url;
  external_url.fn = [url](std::span<const Value>) -> absl::StatusOr<Value> { return Value::String(url); };
  m["externalURL"] = external_url;
  Function path_prefix;
  path_prefix.fn = [url](std::span<const Value>) -> absl::StatusOr<Value> { return Value::String(UrlPath(url)); };
  m["pathPrefix"] = path_prefix;

  Function parse_duration;
  parse_duration.params = {ArgType::kString};
  parse_duration.fn = [](std::span<const Value> a) -> absl::StatusOr<Value> {
    auto ms = ParseDurationMs(a[0].AsString());
    if (!ms.ok()) return absl::InvalidArgumentError("not a valid duration string: \"" + a[0].AsString() + "\"");
    return Value::Float(static_cast<double>(*ms) / 1000.0);
  };
  m["parseDuration"] = parse_duration;

  set.AddFuncs(m);
  SetPrometheusQuery(set, std::move(options.query));
}

void SetPrometheusQuery(TemplateSet& set, QueryFunc query) {
  Function q;
  q.params = {ArgType::kString};
  q.fn = [query = std::move(query)](std::span<const Value> a) -> absl::StatusOr<Value> {
    if (!query) return absl::UnavailableError("query is not available in this context");
    auto r = query(a[0].AsString());
    if (!r.ok()) return r.status();
    ValueList out;
    for (const auto& s : *r) out.push_back(MakeSample(s));
    return Value::List(std::move(out));
  };
  set.AddFunc("query", std::move(q));
}

}  // namespace pharos::tmpl
