#include "scrape/relabel/target_labels.h"

#include "common/host_port.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/duration.h"
#include "common/strings.h"
#include "config/quote.h"
#include "scrape/relabel/relabel.h"

namespace pharos::relabel {
namespace {

using config::GoQuote;

absl::Status Invalid(std::string_view msg) { return absl::InvalidArgumentError(AV(msg)); }

absl::StatusOr<int64_t> ParseLabelDuration(std::string_view what, std::string_view s) {
  auto d = ParseDurationMs(s);
  if (!d.ok()) {
    return Invalid(absl::StrCat("error parsing scrape ", AV(what), ": not a valid duration string: ",
                                GoQuote(s)));
  }
  if (*d == 0) return Invalid(absl::StrCat("scrape ", AV(what), " cannot be 0"));
  return *d;
}

// Go's url.QueryEscape.
void AppendQueryEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out->push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

// Go's url.PathEscape rules for a URL path (keeps '/', ':', '@', '&', '=',
// '+', '$', ',', ';').
void AppendPathEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '_' || c == '.' || c == '~' || c == '$' || c == '&' || c == '+' || c == ',' ||
                c == '/' || c == ':' || c == ';' || c == '=' || c == '@';
    if (keep) {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
}

}  // namespace


absl::StatusOr<TargetLabels> PopulateLabels(const Labels& target, const Labels& group_labels,
                                            const config::ScrapeConfig& cfg, const TargetOptions& opts) {
  LabelsBuilder lb(target);
  for (const Label& l : group_labels) {
    if (!target.Has(l.name)) lb.Set(l.name, l.value);
  }
  const std::string interval = FormatDurationMs(cfg.scrape_interval_ms);
  const std::string timeout = FormatDurationMs(cfg.scrape_timeout_ms);
  const std::pair<std::string_view, std::string_view> defaults[] = {
      {kJobLabel, cfg.job_name},          {kScrapeIntervalLabel, interval}, {kScrapeTimeoutLabel, timeout},
      {kMetricsPathLabel, cfg.metrics_path}, {kSchemeLabel, cfg.scheme},
  };
  for (const auto& [name, value] : defaults) {
    if (lb.Get(name).empty()) lb.Set(name, value);
  }
  for (const auto& [name, values] : cfg.params) {
    if (!values.empty()) lb.Set(absl::StrCat(AV(kParamLabelPrefix), name), values[0]);
  }

  TargetLabels out;
  out.discovered = lb.Build();
  if (!ProcessBuilder(cfg.relabel_configs, &lb)) return out;  // dropped: discovered only

  std::string addr(lb.Get(config::kAddressLabel));
  if (addr.empty()) return Invalid("no address");
  const std::string scheme(lb.Get(kSchemeLabel));
  std::string_view host, port;
  const bool has_port = SplitHostPort(addr, &host, &port);
  std::string_view h2, p2;
  const bool can_add_port = !has_port && SplitHostPort(addr + ":1234", &h2, &p2);
  if (!opts.no_default_port && can_add_port) {
    if (scheme == "http" || scheme.empty()) {
      addr += ":80";
    } else if (scheme == "https") {
      addr += ":443";
    } else {
      return Invalid(absl::StrCat("invalid scheme: ", GoQuote(cfg.scheme)));
    }
    lb.Set(config::kAddressLabel, addr);
  }
  if (opts.no_default_port && has_port &&
      ((port == "80" && scheme == "http") || (port == "443" && scheme == "https"))) {
    lb.Set(config::kAddressLabel, host);
  }
  if (addr.find('/') != std::string::npos) return Invalid(absl::StrCat(GoQuote(addr), " is not a valid hostname"));

  const std::string interval_label(lb.Get(kScrapeIntervalLabel));
  const std::string timeout_label(lb.Get(kScrapeTimeoutLabel));
  auto interval_ms = ParseLabelDuration("interval", interval_label);
  if (!interval_ms.ok()) return interval_ms.status();
  auto timeout_ms = ParseLabelDuration("timeout", timeout_label);
  if (!timeout_ms.ok()) return timeout_ms.status();
  if (*timeout_ms > *interval_ms) {
    return Invalid(absl::StrCat("scrape timeout cannot be greater than scrape interval (", GoQuote(timeout_label),
                                " > ", GoQuote(interval_label), ")"));
  }

  lb.DelIf([](const Label& l) { return l.name.starts_with(kMetaLabelPrefix); });
  if (lb.Get(kInstanceLabel).empty()) lb.Set(kInstanceLabel, addr);

  for (const Label& l : lb.pairs()) {
    if (!config::IsValidUtf8(l.value)) {
      return Invalid(absl::StrCat("invalid label value for ", GoQuote(l.name), ": ", GoQuote(l.value)));
    }
  }
  out.labels = lb.Build();
  out.interval_ms = *interval_ms;
  out.timeout_ms = *timeout_ms;
  return out;
}

void TargetsFromGroup(const config::TargetGroup& group, const config::ScrapeConfig& cfg,
                      const TargetOptions& opts, std::vector<TargetLabels>* out,
                      std::vector<std::string>* failures) {
  for (size_t i = 0; i < group.targets.size(); ++i) {
    auto t = PopulateLabels(group.targets[i], group.labels, cfg, opts);
    if (!t.ok()) {
      failures->push_back(absl::StrCat("instance ", i, " in group ", group.source, ": ", t.status().message()));
      continue;
    }
    out->push_back(std::move(*t));
  }
}

Labels PublicLabels(const Labels& target_labels) {
  std::vector<Label> pairs;
  pairs.reserve(target_labels.size());
  for (const Label& l : target_labels) {
    if (!l.name.starts_with("__")) pairs.push_back(l);
  }
  return Labels::FromSorted(std::move(pairs));
}

std::string TargetUrl(const Labels& target_labels, const config::ScrapeConfig& cfg) {
  std::map<std::string, std::vector<std::string>> params(cfg.params.begin(), cfg.params.end());
  for (const Label& l : target_labels) {
    if (!l.name.starts_with(kParamLabelPrefix)) continue;
    std::vector<std::string>& v = params[l.name.substr(kParamLabelPrefix.size())];
    if (v.empty()) {
      v.push_back(l.value);
    } else {
      v[0] = l.value;
    }
  }
  std::string url = absl::StrCat(AV(target_labels.Get(kSchemeLabel)), "://",
                                 AV(target_labels.Get(config::kAddressLabel)));
  std::string_view path = target_labels.Get(kMetricsPathLabel);
  if (!path.empty() && path[0] != '/') url.push_back('/');
  AppendPathEscaped(path, &url);
  bool first = true;
  for (const auto& [k, vs] : params) {
    for (const std::string& v : vs) {
      url.push_back(first ? '?' : '&');
      first = false;
      AppendQueryEscaped(k, &url);
      url.push_back('=');
      AppendQueryEscaped(v, &url);
    }
  }
  return url;
}

}  // namespace pharos::relabel
