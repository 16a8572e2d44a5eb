#include "scrape/textparse/parser.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "scrape/textparse/content_type.h"
#include "scrape/textparse/internal/chars.h"
#include "scrape/textparse/internal/escape.h"
#include "scrape/textparse/internal/grammars.h"
#include "scrape/textparse/internal/openmetrics_structure.h"

namespace pharos::scrape::textparse {
namespace {

using internal::RawLabel;

void AppendValue(const RawLabel& l, std::string* out) {
  if (l.escaped) {
    internal::AppendUnescaped(l.value, internal::Escapes::kLabelValue, out);
  } else {
    out->append(l.value);
  }
}

std::vector<Label> ToLabelVector(std::string_view metric_name, const std::vector<RawLabel>& raw) {
  std::vector<Label> v;
  v.reserve(raw.size() + 1);
  if (!metric_name.empty()) v.push_back(Label{std::string(kMetricName), std::string(metric_name)});
  for (const RawLabel& l : raw) {
    Label& out = v.emplace_back();
    out.name.assign(l.name);
    AppendValue(l, &out.value);
  }
  return v;
}

}  // namespace

Parser::Parser(Format format, std::string_view body, const ParserLimits& limits)
    : format_(format), s_(body, limits) {
  if (format == Format::kOpenMetrics) rules_ = std::make_unique<internal::OpenMetricsStructure>();
}

Parser Parser::ForContentType(std::string_view content_type, std::string_view body,
                              const ParserLimits& limits) {
  return Parser(FormatForContentType(content_type), body, limits);
}

Parser::~Parser() = default;
Parser::Parser(Parser&&) noexcept = default;
Parser& Parser::operator=(Parser&&) noexcept = default;

Entry Parser::Next() {
  return format_ == Format::kOpenMetrics ? internal::NextOpenMetrics(s_, *rules_)
                                         : internal::NextText(s_);
}

std::string_view Parser::MetricName() const {
  // Not found while parsing a line whose series was known by its prefix.
  if (s_.metric_name.empty() && !s_.series.empty()) {
    return s_.series.substr(0, internal::SkipMetricNameChars(s_.series.data() + 1, s_.series.data() + s_.series.size()) -
                                   s_.series.data());
  }
  return s_.metric_name;
}

void Parser::LabelViews(std::vector<LabelView>* out, std::string* scratch) const {
  if (s_.labels_skipped) {
    // Parsed on demand: the views then point into *scratch.
    pharos::Labels l;
    Labels(&l);
    out->clear();
    scratch->clear();
    size_t bytes = 0;
    for (const auto& x : l) bytes += x.name.size() + x.value.size();
    scratch->reserve(bytes);
    // The name label first, then the others sorted (not as written).
    out->push_back(LabelView{kMetricName, MetricName()});
    for (const auto& x : l) {
      if (x.name == kMetricName) continue;
      size_t from = scratch->size();
      scratch->append(x.name);
      std::string_view n(scratch->data() + from, x.name.size());
      from = scratch->size();
      scratch->append(x.value);
      out->push_back(LabelView{n, std::string_view(scratch->data() + from, x.value.size())});
    }
    return;
  }
  out->clear();
  scratch->clear();
  // Reserve first: appending must not move views already handed out.
  size_t escaped_bytes = 0;
  for (const RawLabel& l : s_.labels) escaped_bytes += l.escaped ? l.value.size() : 0;
  scratch->reserve(escaped_bytes);
  out->push_back(LabelView{kMetricName, s_.metric_name});
  for (const RawLabel& l : s_.labels) {
    if (!l.escaped) {
      out->push_back(LabelView{l.name, l.value});
      continue;
    }
    size_t from = scratch->size();
    AppendValue(l, scratch);
    out->push_back(LabelView{l.name, std::string_view(scratch->data() + from, scratch->size() - from)});
  }
}

void Parser::Labels(pharos::Labels* out) const {
  if (s_.labels_skipped) {
    std::string line = absl::StrCat(AV(s_.series), " 0\n");
    Parser again(Format::kPrometheusText, line, s_.limits);
    if (again.Next() == Entry::kSeries) {
      again.Labels(out);
    } else {
      *out = pharos::Labels();
    }
    return;
  }
  *out = Labels::FromUnsorted(ToLabelVector(s_.metric_name, s_.labels));
}

void Parser::ExemplarLabels(pharos::Labels* out) const {
  *out = Labels::FromUnsorted(s_.has_exemplar ? ToLabelVector({}, s_.exemplar_labels)
                                              : std::vector<Label>{});
}

std::string_view Parser::Help(std::string* scratch) const {
  if (s_.text.find('\\') == std::string_view::npos) return s_.text;
  scratch->clear();
  internal::AppendUnescaped(s_.text,
                            format_ == Format::kOpenMetrics ? internal::Escapes::kLabelValue
                                                            : internal::Escapes::kTextHelp,
                            scratch);
  return *scratch;
}

}  // namespace pharos::scrape::textparse
