#include "remote/write_receiver.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/label_names.h"
#include "common/labels.h"
#include "common/log.h"
#include "common/metrics/registry.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "remote/snappy_block.h"

namespace pharos::remote {
namespace {

// Per-thread buffers reused across requests.
struct Scratch {
  std::string decoded;
  WriteRequestView view;
  std::vector<Label> pairs;
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

// The series' labels as {a="b", …} for messages (values quoted as sent).
std::string Describe(const std::vector<Label>& pairs) {
  std::string out = "{";
  for (const auto& l : pairs) {
    if (out.size() > 1) out += ", ";
    absl::StrAppend(&out, l.name, "=\"", l.value, "\"");
  }
  return out + "}";
}

// Validates one series' labels and builds them, sorted, into `pairs`.
absl::Status BuildLabels(const WriteRequestView& v, const SeriesView& s, size_t index, std::vector<Label>* pairs) {
  pairs->clear();
  for (uint32_t i = s.labels_begin; i < s.labels_end; ++i) {
    pairs->push_back(Label{std::string(v.labels[i].name), std::string(v.labels[i].value)});
  }
  if (!std::is_sorted(pairs->begin(), pairs->end(),
                      [](const Label& a, const Label& b) { return a.name < b.name; })) {
    std::stable_sort(pairs->begin(), pairs->end(), [](const Label& a, const Label& b) { return a.name < b.name; });
  }
  auto fail = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("series #", index, " (byte ", s.offset, ") ", Describe(*pairs),
                                                   ": ", AV(what)));
  };
  bool has_name = false;
  for (size_t i = 0; i < pairs->size(); ++i) {
    const Label& l = (*pairs)[i];
    if (i > 0 && (*pairs)[i - 1].name == l.name) return fail(absl::StrCat("duplicate label name \"", l.name, "\""));
    if (l.name == kMetricName) {
      if (!IsValidMetricName(l.value)) return fail(absl::StrCat("invalid metric name \"", l.value, "\""));
      has_name = true;
    } else if (!IsValidLabelName(l.name)) {
      return fail(absl::StrCat("invalid label name \"", l.name, "\""));
    }
    if (!IsValidUtf8(l.value)) return fail(absl::StrCat("value of label \"", l.name, "\" is not valid UTF-8"));
  }
  if (!has_name) return fail("missing metric name (__name__ label)");
  // An empty value is the same as an absent label.
  pairs->erase(std::remove_if(pairs->begin(), pairs->end(), [](const Label& l) { return l.value.empty(); }),
               pairs->end());
  return absl::OkStatus();
}

}  // namespace

WriteReceiver::WriteReceiver(storage::Appendable* appendable, WriteLimits limits, metrics::Registry* registry,
                             std::function<absl::Time()> now)
    : appendable_(appendable), limits_(limits), now_(std::move(now)) {
  if (registry != nullptr) {
    samples_appended_ = registry->NewCounter("pharos_remote_write_samples_appended_total",
                                             "Samples received by remote write and committed to storage.");
    histograms_dropped_ = registry->NewCounter("pharos_remote_write_histograms_dropped_total",
                                               "Native histogram samples received by remote write and skipped.");
    exemplars_dropped_ = registry->NewCounter("pharos_remote_write_exemplars_dropped_total",
                                              "Exemplars received by remote write and skipped.");
    invalid_requests_ = registry->NewCounter("pharos_remote_write_invalid_requests_total",
                                             "Remote write requests refused as malformed or invalid.");
  }
}

absl::Status WriteReceiver::Receive(std::string_view snappy_body, WriteStats* stats) {
  Scratch& scratch = ThreadScratch();
  absl::Status st = SnappyDecode(snappy_body, limits_.max_decoded_bytes, &scratch.decoded);
  if (st.ok()) st = DecodeWriteRequest(scratch.decoded, limits_.decode, &scratch.view);
  if (!st.ok()) {
    if (invalid_requests_ != nullptr) invalid_requests_->Inc();
    return st;
  }
  const WriteRequestView& v = scratch.view;
  WriteStats local;
  WriteStats& s = stats != nullptr ? *stats : local;
  s = WriteStats();
  for (const auto& series : v.series) {
    s.histograms_dropped += series.histograms;
    s.exemplars_dropped += series.exemplars;
  }

  const int64_t max_t = absl::ToUnixMillis(now_() + limits_.max_ahead);
  std::unique_ptr<storage::Appender> app = appendable_->NewAppender();
  for (size_t i = 0; i < v.series.size(); ++i) {
    const SeriesView& series = v.series[i];
    st = BuildLabels(v, series, i, &scratch.pairs);
    if (!st.ok()) {
      app->Rollback();
      if (invalid_requests_ != nullptr) invalid_requests_->Inc();
      return st;
    }
    if (series.samples_begin == series.samples_end) continue;
    Labels labels = Labels::FromSorted(scratch.pairs);
    storage::SeriesRef ref = 0;
    for (uint32_t k = series.samples_begin; k < series.samples_end; ++k) {
      const storage::Sample& smp = v.samples[k];
      if (smp.t > max_t) {
        app->Rollback();
        return storage::MakeAppendError(
            storage::AppendError::kOutOfBounds,
            absl::StrCat("sample of ", labels.ToString(), " at ", smp.t, " is more than ",
                         absl::FormatDuration(limits_.max_ahead), " in the future"));
      }
      auto r = app->Append(ref, labels, smp.t, smp.v);
      if (!r.ok()) {
        app->Rollback();
        if (storage::GetAppendError(r.status()) != storage::AppendError::kNone) {
          log::Warn("remote", "refused remote write sample",
                    {{"series", labels.ToString()}, {"timestamp", smp.t}, {"err", r.status()}});
        }
        return r.status();
      }
      ref = *r;
    }
    ++s.series;
    s.samples += series.samples_end - series.samples_begin;
  }
  st = app->Commit();
  if (!st.ok()) return st;
  if (samples_appended_ != nullptr) {
    samples_appended_->Inc(s.samples);
    histograms_dropped_->Inc(s.histograms_dropped);
    exemplars_dropped_->Inc(s.exemplars_dropped);
  }
  if (s.histograms_dropped > 0) {
    log::Debug("remote", "skipped native histogram samples", {{"count", s.histograms_dropped}});
  }
  return absl::OkStatus();
}

}  // namespace pharos::remote
