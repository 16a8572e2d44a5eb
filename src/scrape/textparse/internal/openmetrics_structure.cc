#include "scrape/textparse/internal/openmetrics_structure.h"

#include <array>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "scrape/textparse/internal/escape.h"
#include "scrape/textparse/internal/go_float.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace pharos::scrape::textparse::internal {
namespace {

absl::Status Invalid(std::string_view msg) { return absl::InvalidArgumentError(AV(msg)); }

std::string Q(std::string_view s) { return QuoteForError(s, 128); }

const RawLabel* FindLabel(const ParserState& s, std::string_view name) {
  for (const RawLabel& l : s.labels) {
    if (l.name == name) return &l;
  }
  return nullptr;
}

// A histogram threshold: "+Inf" or a finite number.
bool ParseThreshold(std::string_view v, double* out) {
  if (v == "+Inf") {
    *out = INFINITY;
    return true;
  }
  return ParseGoFloat(v, out) && std::isfinite(*out);
}

}  // namespace

// Suffix texts, longest first where one ends another ("_gcount"/"_count").
static constexpr std::array<std::pair<std::string_view, int>, 8> kSuffixes = {{
    {"_total", 1}, {"_created", 2}, {"_bucket", 3}, {"_gcount", 6},
    {"_count", 4}, {"_gsum", 7},    {"_sum", 5},    {"_info", 8},
}};

bool OpenMetricsStructure::Allows(MetricType type, Suffix suffix) {
  switch (type) {
    case MetricType::kCounter: return suffix == Suffix::kTotal || suffix == Suffix::kCreated;
    case MetricType::kHistogram:
      return suffix == Suffix::kBucket || suffix == Suffix::kCount || suffix == Suffix::kSum ||
             suffix == Suffix::kCreated;
    case MetricType::kGaugeHistogram:
      return suffix == Suffix::kBucket || suffix == Suffix::kGCount || suffix == Suffix::kGSum;
    case MetricType::kSummary:
      return suffix == Suffix::kBare || suffix == Suffix::kCount || suffix == Suffix::kSum ||
             suffix == Suffix::kCreated;
    case MetricType::kInfo: return suffix == Suffix::kInfo;
    case MetricType::kGauge:
    case MetricType::kStateset:
    case MetricType::kUnknown: return suffix == Suffix::kBare;
  }
  return false;
}

bool OpenMetricsStructure::MemberSuffix(std::string_view name, Suffix* suffix) const {
  std::string_view f = family_.name;
  if (name.size() < f.size() || name.substr(0, f.size()) != f) return false;
  std::string_view rest = name.substr(f.size());
  if (rest.empty()) {
    *suffix = Suffix::kBare;
  } else {
    bool found = false;
    for (const auto& [text, id] : kSuffixes) {
      if (rest == text) {
        *suffix = static_cast<Suffix>(id);
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return Allows(family_.type, *suffix);
}

std::string OpenMetricsStructure::SampleNames() const {
  std::string out;
  if (Allows(family_.type, Suffix::kBare)) out.append(family_.name);
  for (const auto& [text, id] : kSuffixes) {
    if (!Allows(family_.type, static_cast<Suffix>(id))) continue;
    if (!out.empty()) out.append(", ");
    absl::StrAppend(&out, AV(family_.name), AV(text));
  }
  return out;
}

std::string_view OpenMetricsStructure::Unescaped(const RawLabel& l) {
  if (!l.escaped) return l.value;
  scratch_.clear();
  AppendUnescaped(l.value, Escapes::kLabelValue, &scratch_);
  return scratch_;
}

void OpenMetricsStructure::Keys(const ParserState& s, std::string_view ignored_label,
                                Suffix suffix, uint64_t* metric, uint64_t* sample) {
  // Sums of per-label hashes do not depend on the order labels are written in.
  // A label hashes as `name="value` with the value unescaped: as written when
  // it has no escapes (one contiguous span of the body), else rebuilt.
  uint64_t m = 0, ignored = 0;
  for (const RawLabel& l : s.labels) {
    uint64_t h;
    if (!l.escaped) {
      const char* b = l.name.data();
      h = XXH3_64bits(b, static_cast<size_t>(l.value.data() + l.value.size() - b));
    } else {
      scratch_.assign(l.name);
      scratch_.append("=\"");
      AppendUnescaped(l.value, Escapes::kLabelValue, &scratch_);
      h = XXH3_64bits(scratch_.data(), scratch_.size());
    }
    if (l.name == ignored_label) {
      ignored += h;
    } else {
      m += h;
    }
  }
  *metric = m;
  *sample = m + ignored + (static_cast<uint64_t>(suffix) + 1) * 0x9E3779B97F4A7C15ULL;
}

bool OpenMetricsStructure::AddPointSample(uint64_t key) {
  // Points are small (one sample for most types, a few dozen for
  // histograms): a linear scan first, a hash set for the rare large one.
  if (point_sample_count_ < kInlinePointSamples) {
    for (size_t i = 0; i < point_sample_count_; ++i) {
      if (point_samples_inline_[i] == key) return false;
    }
    point_samples_inline_[point_sample_count_++] = key;
    return true;
  }
  if (point_sample_count_++ == kInlinePointSamples) {
    point_samples_.clear();
    point_samples_.insert(point_samples_inline_.begin(), point_samples_inline_.end());
  }
  return point_samples_.insert(key).second;
}

absl::Status OpenMetricsStructure::OpenFamily(std::string_view name) {
  if (absl::Status st = CloseFamily(); !st.ok()) return st;
  if (closed_families_.contains(name)) {
    return Invalid(absl::StrCat("metric family ", Q(name),
                                " appears again after other families (families must not be "
                                "interleaved)"));
  }
  // Could `name` be a sample name of an earlier family?
  for (const auto& [text, id] : kSuffixes) {
    if (name.size() <= text.size() || name.substr(name.size() - text.size()) != text) continue;
    auto it = closed_families_.find(name.substr(0, name.size() - text.size()));
    if (it != closed_families_.end() && Allows(it->second, static_cast<Suffix>(id))) {
      return Invalid(absl::StrCat("metric family ", Q(name), " clashes with the samples of ",
                                  AV(MetricTypeName(it->second)), " family ", Q(it->first)));
    }
  }
  family_ = Family{};
  family_.name = name;
  family_open_ = true;
  metrics_seen_.clear();
  return absl::OkStatus();
}

absl::Status OpenMetricsStructure::CloseFamily() {
  if (!family_open_) return absl::OkStatus();
  if (absl::Status st = FinishMetric(); !st.ok()) return st;
  closed_families_.emplace(family_.name, family_.type);
  family_open_ = false;
  return absl::OkStatus();
}

absl::Status OpenMetricsStructure::OnMetadata(Entry kind, std::string_view name, MetricType type,
                                              std::string_view unit) {
  if (!family_open_ || name != family_.name) {
    if (absl::Status st = OpenFamily(name); !st.ok()) return st;
  } else if (family_.has_samples) {
    return Invalid(absl::StrCat("metadata for metric family ", Q(name), " after its samples"));
  }
  bool* seen = kind == Entry::kType ? &family_.has_type
               : kind == Entry::kHelp ? &family_.has_help
                                      : &family_.has_unit;
  if (*seen) {
    std::string_view what = kind == Entry::kType ? "TYPE" : kind == Entry::kHelp ? "HELP" : "UNIT";
    return Invalid(absl::StrCat("second ", AV(what), " line for metric family ", Q(name)));
  }
  *seen = true;
  if (kind == Entry::kType) {
    family_.type = type;
    for (const auto& [text, id] : kSuffixes) {
      if (!Allows(type, static_cast<Suffix>(id))) continue;
      std::string sample = absl::StrCat(AV(name), AV(text));
      if (closed_families_.contains(sample)) {
        return Invalid(absl::StrCat("the samples of ", AV(MetricTypeName(type)), " family ", Q(name),
                                    " would clash with metric family ", Q(sample)));
      }
    }
  } else if (kind == Entry::kUnit) {
    family_.unit = unit;
  }
  if (family_.has_type && !family_.unit.empty() &&
      (family_.type == MetricType::kInfo || family_.type == MetricType::kStateset)) {
    return Invalid(absl::StrCat(AV(MetricTypeName(family_.type)), " family ", Q(name),
                                " must not have a unit"));
  }
  return absl::OkStatus();
}

absl::Status OpenMetricsStructure::OnSample(const ParserState& s) {
  std::string_view name = s.metric_name;
  Suffix suffix = Suffix::kBare;
  if (!family_open_ || !MemberSuffix(name, &suffix)) {
    if (family_open_ && name == family_.name) {
      return Invalid(absl::StrCat("sample ", Q(name), " does not fit ",
                                  AV(MetricTypeName(family_.type)), " family ", Q(family_.name),
                                  " (its sample names are ", SampleNames(), ")"));
    }
    if (absl::Status st = OpenFamily(name); !st.ok()) return st;
    suffix = Suffix::kBare;
  }
  family_.has_samples = true;
  const MetricType type = family_.type;
  const bool histogram = type == MetricType::kHistogram || type == MetricType::kGaugeHistogram;

  if (s.has_exemplar && !((type == MetricType::kCounter && suffix == Suffix::kTotal) ||
                          (histogram && suffix == Suffix::kBucket))) {
    return Invalid(absl::StrCat("exemplar on ", Q(name), " of ", AV(MetricTypeName(type)),
                                " family ", Q(family_.name),
                                " (exemplars are allowed only on counter _total and histogram "
                                "_bucket samples)"));
  }

  std::string_view ignored;  // the label that tells the samples of one point apart
  double le = 0;
  std::string_view le_text;
  if (histogram && suffix == Suffix::kBucket) {
    const RawLabel* l = FindLabel(s, "le");
    if (l == nullptr) return Invalid(absl::StrCat("histogram bucket ", Q(s.series), " has no \"le\" label"));
    le_text = l->value;
    if (!ParseThreshold(Unescaped(*l), &le)) {
      return Invalid(absl::StrCat("invalid le=", Q(l->value), " in ", Q(s.series),
                                  " (a bucket threshold is a number or \"+Inf\")"));
    }
    ignored = "le";
  } else if (type == MetricType::kSummary && suffix == Suffix::kBare) {
    const RawLabel* l = FindLabel(s, "quantile");
    if (l == nullptr) {
      return Invalid(absl::StrCat("summary sample ", Q(s.series), " has no \"quantile\" label"));
    }
    double q = 0;
    if (!ParseGoFloat(Unescaped(*l), &q) || !(q >= 0 && q <= 1)) {
      return Invalid(absl::StrCat("invalid quantile=", Q(l->value), " in ", Q(s.series),
                                  " (a quantile is a number from 0 to 1)"));
    }
    ignored = "quantile";
  } else if (type == MetricType::kStateset) {
    if (FindLabel(s, family_.name) == nullptr) {
      return Invalid(absl::StrCat("stateset sample ", Q(s.series), " has no label named ",
                                  Q(family_.name)));
    }
    ignored = family_.name;
  }

  uint64_t key = 0, sample_key = 0;
  Keys(s, ignored, suffix, &key, &sample_key);
  if (!metric_open_ || key != metric_key_) {
    if (absl::Status st = FinishMetric(); !st.ok()) return st;
    if (!metrics_seen_.insert(key).second) {
      return Invalid(absl::StrCat("sample ", Q(s.series), " belongs to a metric of family ",
                                  Q(family_.name),
                                  " whose samples ended earlier (the samples of a metric must "
                                  "not be interleaved with others)"));
    }
    metric_open_ = true;
    metric_key_ = key;
    metric_line_ = s.entry_line;
    metric_series_ = s.series;
    point_ = Point{};
    point_.has_timestamp = s.has_timestamp;
    point_.timestamp = s.timestamp;
    point_sample_count_ = 0;
  } else if (s.has_timestamp != point_.has_timestamp) {
    return Invalid(absl::StrCat("sample ", Q(s.series), (s.has_timestamp ? " has" : " has no"),
                                " timestamp unlike the earlier samples of its metric"));
  } else if (s.has_timestamp) {
    if (s.timestamp < point_.timestamp) {
      return Invalid(absl::StrCat("timestamp of ", Q(s.series),
                                  " is before the one of the previous sample of its metric"));
    }
    if (s.timestamp > point_.timestamp) {
      if (absl::Status st = FinishPoint(); !st.ok()) return st;
      point_ = Point{};
      point_.has_timestamp = true;
      point_.timestamp = s.timestamp;
    }
  }
  if (!point_.has_timestamp && !AddPointSample(sample_key)) {
    return Invalid(absl::StrCat("sample ", Q(s.series),
                                " repeats without timestamps (more than one point of a metric "
                                "needs increasing timestamps)"));
  }

  switch (suffix) {
    case Suffix::kBucket:
      if (!histogram) break;
      if (point_.bucket && !(le > point_.last_le)) {
        return Invalid(absl::StrCat("bucket le=", Q(le_text), " of ", Q(s.series),
                                    " follows le=", Q(point_.last_le_text),
                                    " (buckets must be in increasing order of le)"));
      }
      point_.bucket = true;
      point_.last_le = le;
      point_.last_le_text = le_text;
      point_.inf_bucket = point_.inf_bucket || std::isinf(le);
      break;
    case Suffix::kCount: point_.count = true; break;
    case Suffix::kSum: point_.sum = true; break;
    case Suffix::kGCount: point_.gcount = true; break;
    case Suffix::kGSum: point_.gsum = true; break;
    default: break;
  }
  return absl::OkStatus();
}

absl::Status OpenMetricsStructure::FinishPoint() {
  MetricType type = family_.type;
  if (type != MetricType::kHistogram && type != MetricType::kGaugeHistogram) {
    return absl::OkStatus();
  }
  std::string where = absl::StrCat(AV(MetricTypeName(type)), " metric ", Q(metric_series_),
                                   " (from line ", metric_line_, ")");
  if (!point_.inf_bucket) return Invalid(absl::StrCat(where, " has no bucket with le=\"+Inf\""));
  if (type == MetricType::kHistogram && point_.count != point_.sum) {
    return Invalid(absl::StrCat(where, point_.count ? " has _count without _sum"
                                                    : " has _sum without _count"));
  }
  if (type == MetricType::kGaugeHistogram && point_.gcount != point_.gsum) {
    return Invalid(absl::StrCat(where, point_.gcount ? " has _gcount without _gsum"
                                                     : " has _gsum without _gcount"));
  }
  return absl::OkStatus();
}

absl::Status OpenMetricsStructure::FinishMetric() {
  if (!metric_open_) return absl::OkStatus();
  metric_open_ = false;
  return FinishPoint();
}

absl::Status OpenMetricsStructure::OnEof() { return CloseFamily(); }

}  // namespace pharos::scrape::textparse::internal
