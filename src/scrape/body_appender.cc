#include "scrape/body_appender.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "scrape/relabel/relabel.h"
#include "scrape/textparse/parser.h"
#include "storage/sample.h"

namespace pharos::scrape {
namespace {

constexpr std::string_view kExportedPrefix = "exported_";

std::string Trunc50(std::string_view s) { return std::string(s.substr(0, 50)); }

const Labels kNoLabels;

}  // namespace

Labels MergeTargetLabels(const Labels& sample, const Labels& target, bool honor_labels) {
  LabelsBuilder lb(sample);
  if (honor_labels) {
    for (const auto& l : target) {
      if (sample.Get(l.name).empty()) lb.Set(l.name, l.value);
    }
    return lb.Build();
  }
  std::vector<Label> conflicting;
  for (const auto& l : target) {
    std::string_view existing = sample.Get(l.name);
    if (!existing.empty()) conflicting.push_back(Label{l.name, std::string(existing)});
    lb.Set(l.name, l.value);
  }
  if (!conflicting.empty()) {
    std::stable_sort(conflicting.begin(), conflicting.end(),
                     [](const Label& a, const Label& b) { return a.name.size() < b.name.size(); });
    for (const auto& l : conflicting) {
      std::string name = l.name;
      for (;;) {
        name = absl::StrCat(AV(kExportedPrefix), name);
        if (lb.Get(name).empty()) {
          lb.Set(name, l.value);
          break;
        }
      }
    }
  }
  return lb.Build();
}

BodyAppender::BodyAppender(storage::Appendable* storage, BodyAppenderOptions opts)
    : storage_(storage), opts_(std::move(opts)) {}

absl::Status BodyAppender::CheckLimits(const Labels& l) const {
  const auto& lim = opts_.limits;
  std::string_view metric = l.MetricName();
  if (lim.label_limit > 0 && l.size() > lim.label_limit) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "label_limit exceeded (metric: %s, number of labels: %d, limit: %d)", Trunc50(metric), l.size(),
        lim.label_limit));
  }
  if (lim.label_name_length_limit == 0 && lim.label_value_length_limit == 0) return absl::OkStatus();
  for (const auto& p : l) {
    if (lim.label_name_length_limit > 0 && p.name.size() > lim.label_name_length_limit) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "label_name_length_limit exceeded (metric: %s, label name: %s, length: %d, limit: %d)",
          Trunc50(metric), Trunc50(p.name), p.name.size(), lim.label_name_length_limit));
    }
    if (lim.label_value_length_limit > 0 && p.value.size() > lim.label_value_length_limit) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "label_value_length_limit exceeded (metric: %s, label name: %s, value: \"%s\", length: %d, limit: %d)",
          Trunc50(metric), Trunc50(p.name), Trunc50(p.value), p.value.size(), lim.label_value_length_limit));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> BodyAppender::BuildLabels(const Labels& parsed, Labels* out) {
  Labels merged = MergeTargetLabels(parsed, opts_.target_labels, opts_.honor_labels);
  if (opts_.metric_relabel != nullptr && !opts_.metric_relabel->empty()) {
    if (!relabel::Process(merged, *opts_.metric_relabel, &builder_)) return false;
    merged = builder_.Build();
  }
  // Empty values mean "no label" (an exposed label="" is dropped).
  bool has_empty = std::any_of(merged.begin(), merged.end(), [](const Label& l) { return l.value.empty(); });
  if (has_empty) {
    std::vector<Label> kept;
    for (const auto& l : merged) {
      if (!l.value.empty()) kept.push_back(l);
    }
    merged = Labels::FromSorted(std::move(kept));
  }
  if (merged.MetricName().empty()) return absl::InvalidArgumentError("__name__ label is missing");
  RETURN_IF_ERROR(CheckLimits(merged));
  *out = std::move(merged);
  return true;
}

void BodyAppender::CountAppendError(const absl::Status& s, AppendStats* stats) const {
  switch (storage::GetAppendError(s)) {
    case storage::AppendError::kOutOfOrder:
    case storage::AppendError::kTooOld: ++stats->out_of_order; break;
    case storage::AppendError::kDuplicateSample: ++stats->duplicates; break;
    case storage::AppendError::kOutOfBounds: ++stats->out_of_bounds; break;
    default: break;
  }
}

absl::StatusOr<Labels> BodyAppender::LabelsOfCached(std::string_view raw) {
  std::string body = absl::StrCat(AV(raw), " 0\n");
  if (format_ == textparse::Format::kOpenMetrics) body += "# EOF\n";
  textparse::Parser p(format_, body);
  if (p.Next() != textparse::Entry::kSeries) {
    return absl::InternalError(absl::StrCat("cached series no longer parses: ", AV(raw)));
  }
  Labels parsed;
  p.Labels(&parsed);
  Labels out;
  ASSIGN_OR_RETURN(bool keep, BuildLabels(parsed, &out));
  if (!keep) return absl::InternalError(absl::StrCat("cached series is now dropped: ", AV(raw)));
  return out;
}

absl::StatusOr<storage::SeriesRef> BodyAppender::AppendCached(storage::Appender* app, std::string_view raw,
                                                              ScrapeCache::Entry* e, int64_t t, double v) {
  // By ref alone: the store need not compare label sets.
  auto ref = app->Append(e->ref, kNoLabels, t, v);
  if (!ref.ok() && storage::GetAppendError(ref.status()) == storage::AppendError::kInvalidLabels) {
    if (raw.empty()) raw = cache_.TextOf(*e);
    ASSIGN_OR_RETURN(Labels labels, LabelsOfCached(raw));
    ref = app->Append(0, labels, t, v);
  }
  if (ref.ok()) e->ref = *ref;
  return ref;
}

absl::Status BodyAppender::ParseAndAppend(std::string_view body, std::string_view content_type, int64_t ts_ms,
                                          storage::Appender* app, AppendStats* stats) {
  cache_.BeginScrape();
  auto parser = textparse::Parser::ForContentType(content_type, body);
  format_ = parser.format();
  // Lines of series the cache knows skip label parsing; the parser hands
  // over the entry it found. Targets list their series in the same order
  // every scrape, so most lines are the entry after the last one found,
  // matched as the line's prefix without finding the end of its labels.
  known_ = nullptr;
  looked_up_ = false;
  textparse::Parser::KnownSeries hooks;
  hooks.prefix = [](void* ctx, const char* line, const char* end) -> size_t {
    auto* self = static_cast<BodyAppender*>(ctx);
    ScrapeCache::Entry* e = self->cache_.MatchNext(std::string_view(line, static_cast<size_t>(end - line)));
    if (e == nullptr) return 0;
    self->known_ = e;
    return e->len;
  };
  hooks.lookup = [](void* ctx, std::string_view series) {
    auto* self = static_cast<BodyAppender*>(ctx);
    self->known_ = self->cache_.Get(series);
    self->looked_up_ = true;
    return self->known_ != nullptr;
  };
  hooks.ctx = this;
  parser.SetKnownSeries(hooks);
  std::string scratch;
  const uint64_t sample_limit = opts_.limits.sample_limit;
  for (;;) {
    switch (parser.Next()) {
      case textparse::Entry::kEof:
        goto done;
      case textparse::Entry::kError:
        return parser.Err();
      case textparse::Entry::kType:
        cache_.SetType(parser.FamilyName(), textparse::MetricTypeName(parser.Type()));
        break;
      case textparse::Entry::kHelp:
        cache_.SetHelp(parser.FamilyName(), parser.Help(&scratch));
        break;
      case textparse::Entry::kUnit:
        cache_.SetUnit(parser.FamilyName(), parser.Unit());
        break;
      case textparse::Entry::kComment:
        break;
      case textparse::Entry::kSeries: {
        ++stats->scraped;
        std::string_view raw = parser.Series();
        // The hooks looked the line up already (a miss is not asked again).
        ScrapeCache::Entry* ce = parser.LabelsSkipped() || looked_up_ ? known_ : cache_.Get(raw);
        looked_up_ = false;
        if (ce == nullptr && cache_.IsDropped(raw)) break;
        const bool explicit_ts = opts_.honor_timestamps && parser.HasTimestamp();
        const int64_t t = explicit_ts ? parser.Timestamp() : ts_ms;
        const double v = parser.Value();
        absl::StatusOr<storage::SeriesRef> ref;
        if (ce == nullptr) {
          parser.Labels(&parsed_);
          Labels final_labels;
          ASSIGN_OR_RETURN(bool keep, BuildLabels(parsed_, &final_labels));
          if (!keep) {
            cache_.AddDropped(raw);
            break;
          }
          ref = app->Append(0, final_labels, t, v);
          if (ref.ok()) {
            ce = cache_.Add(raw, *ref);
            ++stats->series_added;
          }
        } else {
          ref = AppendCached(app, raw, ce, t, v);
        }
        if (!ref.ok()) {
          if (storage::GetAppendError(ref.status()) == storage::AppendError::kNone) return ref.status();
          CountAppendError(ref.status(), stats);
        }
        ++stats->post_relabel;
        if (sample_limit > 0 && stats->post_relabel > sample_limit) {
          return absl::ResourceExhaustedError(
              absl::StrCat("sample limit exceeded (limit: ", sample_limit, ")"));
        }
        if (ce != nullptr) cache_.MarkSeen(ce, !explicit_ts || opts_.track_timestamps_staleness);
        break;
      }
    }
  }
done:
  cache_.ForEachStale([&](ScrapeCache::Entry& e) {
    auto r = AppendCached(app, {}, &e, ts_ms, storage::StaleNaN());
    if (r.ok()) ++stats->stale_markers;
  });
  return absl::OkStatus();
}

std::unique_ptr<storage::Appender> BodyAppender::NewBatch() {
  auto app = storage_->NewAppender();
  app->SetWaitForSync(false);
  return app;
}

absl::Status BodyAppender::CommitBody(std::string_view body, std::string_view content_type, int64_t ts_ms,
                                      const std::function<double()>* duration_s, AppendStats* stats) {
  auto app = NewBatch();
  absl::Status s = ParseAndAppend(body, content_type, ts_ms, app.get(), stats);
  if (s.ok() && duration_s != nullptr) s = AppendReportTo(app.get(), ts_ms, true, (*duration_s)(), *stats);
  if (s.ok()) s = app->Commit();
  if (s.ok()) {
    cache_.EndScrape(true);
    return absl::OkStatus();
  }
  app->Rollback();
  // Series appended but never committed must not keep refs the store never
  // saw: forget this scrape's new entries by clearing refs lazily (the store
  // re-resolves by labels when a ref is unknown).
  stats->post_relabel = 0;
  stats->series_added = 0;
  return s;
}

absl::Status BodyAppender::AppendBody(std::string_view body, std::string_view content_type, int64_t ts_ms,
                                      AppendStats* stats) {
  absl::Status s = CommitBody(body, content_type, ts_ms, nullptr, stats);
  if (!s.ok()) (void)AppendFailure(ts_ms);
  return s;
}

void BodyAppender::AppendStaleLive(storage::Appender* app, int64_t ts_ms) {
  cache_.ForEachLive([&](ScrapeCache::Entry& e) {
    (void)AppendCached(app, {}, &e, ts_ms, storage::StaleNaN());
  });
  cache_.EndScrape(false);
}

absl::Status BodyAppender::AppendFailure(int64_t ts_ms) {
  auto app = NewBatch();
  AppendStaleLive(app.get(), ts_ms);
  return app->Commit();
}

absl::Status BodyAppender::AppendReportTo(storage::Appender* app, int64_t ts_ms, bool up, double duration_s,
                                          const AppendStats& stats) {
  static constexpr std::string_view kNames[] = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                                                "scrape_samples_post_metric_relabeling", "scrape_series_added"};
  const double values[] = {up ? 1.0 : 0.0, duration_s, static_cast<double>(stats.scraped),
                           static_cast<double>(stats.post_relabel), static_cast<double>(stats.series_added)};
  if (report_refs_.empty()) {
    for (std::string_view name : kNames) {
      Labels l = MergeTargetLabels(Labels{{kMetricName, name}}, opts_.target_labels, false);
      report_refs_.emplace_back(std::move(l), 0);
    }
  }
  for (size_t i = 0; i < report_refs_.size(); ++i) {
    auto r = app->Append(report_refs_[i].second, report_refs_[i].first, ts_ms, values[i]);
    if (r.ok()) {
      report_refs_[i].second = *r;
    } else if (storage::GetAppendError(r.status()) == storage::AppendError::kNone) {
      return r.status();
    }
  }
  return absl::OkStatus();
}

absl::Status BodyAppender::AppendReport(int64_t ts_ms, bool up, double duration_s, const AppendStats& stats) {
  auto app = NewBatch();
  absl::Status s = AppendReportTo(app.get(), ts_ms, up, duration_s, stats);
  if (!s.ok()) {
    app->Rollback();
    return s;
  }
  return app->Commit();
}

absl::Status BodyAppender::AppendScrape(const absl::Status& fetch, std::string_view body,
                                        std::string_view content_type, int64_t ts_ms,
                                        const std::function<double()>& duration_s, AppendStats* stats,
                                        absl::Status* report_status) {
  *report_status = absl::OkStatus();
  absl::Status s = fetch;
  if (s.ok()) {
    s = CommitBody(body, content_type, ts_ms, &duration_s, stats);
    if (s.ok()) return s;
  }
  // Failed: the last good scrape's series go stale and up is 0, in one batch.
  auto app = NewBatch();
  AppendStaleLive(app.get(), ts_ms);
  absl::Status rs = AppendReportTo(app.get(), ts_ms, false, duration_s(), *stats);
  if (rs.ok()) {
    rs = app->Commit();
  } else {
    app->Rollback();
  }
  *report_status = rs;
  return s;
}

absl::Status BodyAppender::AppendEndOfTarget(int64_t ts_ms) {
  auto app = NewBatch();
  AppendStaleLive(app.get(), ts_ms);
  for (auto& [labels, ref] : report_refs_) (void)app->Append(ref, labels, ts_ms, storage::StaleNaN());
  return app->Commit();
}

}  // namespace pharos::scrape
