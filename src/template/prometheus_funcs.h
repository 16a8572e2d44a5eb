// Prometheus 2.53's template functions and alert template data.
//
// Alerting rules expand their annotations and labels with
//   kAlertTemplateDefs + text
// parsed with missingkey=zero and executed with AlertTemplateData(...) as
// dot, as Prometheus does (so error columns on line 1 count the prefix, as
// Prometheus' do).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "template/template.h"

namespace pharos::tmpl {

// One sample of an instant-vector query result.
struct QuerySample {
  std::map<std::string, std::string> labels;  // with __name__ when present
  double value = 0;
};

// Runs a PromQL instant query at the evaluation time of the rule.
using QueryFunc = std::function<absl::StatusOr<std::vector<QuerySample>>(std::string_view query)>;

struct PrometheusFuncsOptions {
  QueryFunc query;           // nullptr: query fails with an error
  std::string external_url;  // --web.external-url
};

// Adds humanize, humanize1024, humanizeDuration, humanizePercentage,
// humanizeTimestamp, title, toUpper, toLower, reReplaceAll, match, first,
// label, value, strvalue, args, safeHtml, stripPort, stripDomain,
// externalURL, pathPrefix, parseDuration, toTime, sortByLabel, query.
void AddPrometheusFuncs(TemplateSet& set, PrometheusFuncsOptions options);

// Replaces only `query`. Parse a rule's templates once; per evaluation,
// Clone() the set (cheap: trees are shared) and bind the query to that
// evaluation's timestamp with this.
void SetPrometheusQuery(TemplateSet& set, QueryFunc query);

// The variables Prometheus defines before a rule's template text.
inline constexpr std::string_view kAlertTemplateDefs =
    "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}"
    "{{$value := .Value}}";

// Prometheus' AlertTemplateData: .Labels, .ExternalLabels, .ExternalURL,
// .Value (a float64).
Value AlertTemplateData(const std::map<std::string, std::string>& labels,
                        const std::map<std::string, std::string>& external_labels, std::string_view external_url,
                        double value);

// Converts as Prometheus' convertToFloat: float64, int, numeric strings;
// otherwise "can't convert T to float".
absl::StatusOr<double> ConvertToFloat(const Value& v);

// The outputs of humanize* for a float (exposed for tests and the UI).
std::string Humanize(double v);
std::string Humanize1024(double v);
std::string HumanizeDuration(double v);

}  // namespace pharos::tmpl
