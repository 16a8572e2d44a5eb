#include "alertmanager/silences.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "alertmanager/state_file.h"
#include "common/go_quote.h"
#include "common/label_names.h"
#include "common/strings.h"
#include "common/utf8.h"
#include "disk/env.h"

namespace pharos::am {

struct Silences::Entry {
  Silence silence;
  std::vector<Matcher> compiled;  // silence.matchers, compiled

  bool Matches(const LabelSet& labels) const {
    for (const Matcher& m : compiled) {
      auto it = labels.find(m.name());
      if (!m.Matches(it == labels.end() ? std::string_view() : std::string_view(it->second))) return false;
    }
    return true;
  }
};

namespace {

// Alertmanager's matchesEmpty: only = and =~ count (a != or !~ matcher never
// makes a silence "match everything" by 0.25's rule).
bool CountsAsMatchingEmpty(const SilenceMatcher& m, const Matcher& compiled) {
  return (m.type == MatchType::kEqual || m.type == MatchType::kRegexMatch) && compiled.MatchesEmpty();
}

absl::Status Invalid(std::string_view msg) { return absl::InvalidArgumentError(AV(msg)); }

// Compiles the matchers with silence/silence.go's checks and words.
absl::StatusOr<std::vector<Matcher>> CompileMatchers(const std::vector<SilenceMatcher>& ms) {
  if (ms.empty()) return Invalid("silence invalid: at least one matcher required");
  std::vector<Matcher> out;
  bool all_match_empty = true;
  for (size_t i = 0; i < ms.size(); ++i) {
    const SilenceMatcher& m = ms[i];
    std::string prefix = absl::StrCat("silence invalid: invalid label matcher ", i, ": ");
    if (!IsValidLabelName(m.name)) return Invalid(absl::StrCat(prefix, "invalid label name ", GoQuote(m.name)));
    bool regex = m.type == MatchType::kRegexMatch || m.type == MatchType::kRegexNoMatch;
    if (!regex && !IsValidUtf8(m.value)) {
      return Invalid(absl::StrCat(prefix, "invalid label value ", GoQuote(m.value)));
    }
    auto compiled = Matcher::Make(m.type, m.name, m.value);
    // Matcher::Make says `invalid regular expression "RE": why`, as 0.25 does.
    if (!compiled.ok()) return Invalid(absl::StrCat(prefix, compiled.status().message()));
    all_match_empty = all_match_empty && CountsAsMatchingEmpty(m, *compiled);
    out.push_back(std::move(*compiled));
  }
  if (all_match_empty) return Invalid("silence invalid: at least one matcher must not match the empty string");
  return out;
}

// Active silences can be updated in place only when the start stays; 0.25
// compared the exact instant, later releases compare whole seconds so that a
// silence read back through the API (millisecond timestamps) and posted again
// still counts as unchanged. We compare seconds.
bool SameSecond(absl::Time a, absl::Time b) { return absl::ToUnixSeconds(a) == absl::ToUnixSeconds(b); }

// silence.go canUpdate: may `next` replace `prev` without rewriting history?
bool CanUpdate(const Silence& prev, const Silence& next, absl::Time now) {
  if (prev.matchers != next.matchers) return false;
  switch (StateAt(prev, now)) {
    case SilenceState::kActive:
      return SameSecond(prev.starts_at, next.starts_at) && next.ends_at >= now;
    case SilenceState::kPending:
      return next.starts_at >= now;
    case SilenceState::kExpired:
      return false;
  }
  return false;
}

int StateOrder(SilenceState s) {
  switch (s) {
    case SilenceState::kActive:
      return 0;
    case SilenceState::kPending:
      return 1;
    case SilenceState::kExpired:
      return 2;
  }
  return 3;
}

// api/v2 SortSilences, with the id as the last tie-breaker so the order is total.
bool ApiOrder(const SilenceView& a, const SilenceView& b) {
  if (a.state != b.state) return StateOrder(a.state) < StateOrder(b.state);
  const Silence& x = a.silence;
  const Silence& y = b.silence;
  switch (a.state) {
    case SilenceState::kActive:
      if (x.ends_at != y.ends_at) return x.ends_at < y.ends_at;
      break;
    case SilenceState::kPending:
      if (x.starts_at != y.starts_at) return x.starts_at < y.starts_at;
      break;
    case SilenceState::kExpired:
      if (x.ends_at != y.ends_at) return x.ends_at > y.ends_at;
      break;
  }
  return x.id < y.id;
}

bool FilterMatches(const Silence& s, const std::vector<SilenceMatcher>& filter) {
  return std::all_of(filter.begin(), filter.end(), [&](const SilenceMatcher& f) {
    return std::find(s.matchers.begin(), s.matchers.end(), f) != s.matchers.end();
  });
}

}  // namespace

std::string_view SilenceStateName(SilenceState s) {
  switch (s) {
    case SilenceState::kActive:
      return "active";
    case SilenceState::kPending:
      return "pending";
    case SilenceState::kExpired:
      return "expired";
  }
  return "unknown";
}

std::optional<SilenceState> ParseSilenceState(std::string_view name) {
  for (SilenceState s : {SilenceState::kActive, SilenceState::kPending, SilenceState::kExpired}) {
    if (SilenceStateName(s) == name) return s;
  }
  return std::nullopt;
}

SilenceState StateAt(const Silence& s, absl::Time now) {
  if (now < s.starts_at) return SilenceState::kPending;
  if (now > s.ends_at) return SilenceState::kExpired;
  return SilenceState::kActive;
}

std::string NewUuidV4() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & ~0xf000ull) | 0x4000ull;                    // version 4
  lo = (lo & ~(0xc000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                         lo & 0xffffffffffffull);
}

Silences::Silences(SilencesOptions opts, std::unique_ptr<StateLog> log)
    : opts_(std::move(opts)), log_(std::move(log)) {
  clock_ = opts_.clock ? opts_.clock : [] { return absl::Now(); };
  new_id_ = opts_.new_id ? opts_.new_id : [] { return NewUuidV4(); };
}

Silences::~Silences() = default;

absl::StatusOr<std::unique_ptr<Silences>> Silences::Open(SilencesOptions opts) {
  if (opts.env == nullptr) opts.env = disk::PosixEnv();
  if (absl::Status s = opts.env->CreateDirs(opts.dir); !s.ok()) return s;
  std::map<std::string, std::shared_ptr<const Entry>> loaded;
  auto apply = [&](StateRecordType, std::string_view payload) -> absl::Status {
    auto s = DecodeSilence(payload);
    if (!s.ok()) return s.status();
    auto compiled = CompileMatchers(s->matchers);
    if (!compiled.ok()) {
      return absl::DataLossError(absl::StrCat("silence ", s->id, ": ", compiled.status().message()));
    }
    std::string id = s->id;
    loaded[id] = std::make_shared<const Entry>(Entry{std::move(*s), std::move(*compiled)});
    return absl::OkStatus();
  };
  auto log = StateLog::Open(opts.env, opts.dir + "/silences", StateKind::kSilences, apply);
  if (!log.ok()) return log.status();
  std::unique_ptr<Silences> silences(new Silences(std::move(opts), std::move(*log)));
  {
    absl::MutexLock l(&silences->mu_);
    silences->by_id_ = std::move(loaded);
    silences->version_ = 1;
  }
  silences->GC();
  return silences;
}

absl::Status Silences::Validate(const Silence& s, absl::Time now) const {
  // The checks API v2 makes before it calls Set, in its words.
  if (!(s.starts_at < s.ends_at)) return Invalid("start time must be before end time");
  if (s.ends_at < now) return Invalid("end time can't be in the past");
  return absl::OkStatus();
}

Silence Silences::ExpiredCopy(const Silence& s, absl::Time now) const {
  Silence out = s;
  if (StateAt(s, now) == SilenceState::kPending) out.starts_at = now;
  out.ends_at = now;
  out.updated_at = now;
  return out;
}

absl::StatusOr<std::string> Silences::Set(Silence s) {
  absl::MutexLock w(&write_mu_);
  absl::Time now = clock_();
  if (s.starts_at == absl::InfinitePast()) s.starts_at = now;
  if (absl::Status st = Validate(s, now); !st.ok()) return st;
  std::shared_ptr<const Entry> prev;
  if (!s.id.empty()) {
    absl::ReaderMutexLock l(&mu_);
    auto it = by_id_.find(s.id);
    if (it == by_id_.end()) return absl::NotFoundError("silence not found");
    prev = it->second;
  }
  auto compiled = CompileMatchers(s.matchers);
  if (!compiled.ok()) return compiled.status();

  if (prev != nullptr && CanUpdate(prev->silence, s, now)) {
    s.updated_at = now;
    if (absl::Status st = Commit({s}); !st.ok()) return st;
    return s.id;
  }
  std::vector<Silence> changed;
  if (prev != nullptr && StateAt(prev->silence, now) != SilenceState::kExpired) {
    // Changing what an active or pending silence did would rewrite history:
    // expire it and create a new one.
    changed.push_back(ExpiredCopy(prev->silence, now));
  }
  s.id = new_id_();
  if (s.starts_at < now) s.starts_at = now;
  s.updated_at = now;
  changed.push_back(s);
  if (absl::Status st = Commit(changed); !st.ok()) return st;
  return s.id;
}

absl::Status Silences::Expire(const std::string& id) {
  absl::MutexLock w(&write_mu_);
  absl::Time now = clock_();
  std::shared_ptr<const Entry> prev;
  {
    absl::ReaderMutexLock l(&mu_);
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return absl::NotFoundError("silence not found");
    prev = it->second;
  }
  if (StateAt(prev->silence, now) == SilenceState::kExpired) {
    return absl::FailedPreconditionError(absl::StrCat("silence ", id, " already expired"));
  }
  return Commit({ExpiredCopy(prev->silence, now)});
}

absl::Status Silences::Commit(const std::vector<Silence>& changed) {
  // Compile first: nothing may fail after the write.
  std::vector<std::shared_ptr<const Entry>> entries;
  for (const Silence& s : changed) {
    auto compiled = CompileMatchers(s.matchers);
    if (!compiled.ok()) return compiled.status();
    entries.push_back(std::make_shared<const Entry>(Entry{s, std::move(*compiled)}));
  }
  size_t live;
  {
    absl::ReaderMutexLock l(&mu_);
    live = by_id_.size() + changed.size();
  }
  std::string payload;
  std::string framed;
  absl::Status st;
  if (log_->needs_rewrite() || log_->ShouldCompact(live)) {
    // Every change of by_id_ holds write_mu_, so the map cannot change
    // between this copy and the swap below.
    std::map<std::string, const Silence*> all;
    {
      absl::ReaderMutexLock l(&mu_);
      for (const auto& [id, e] : by_id_) all[id] = &e->silence;
      for (const Silence& s : changed) all[s.id] = &s;
      framed = FrameAll(all, StateRecordType::kSilence,
                        [](const Silence* s, std::string* out) { EncodeSilence(*s, out); });
    }
    st = log_->Rewrite(framed, all.size());
  } else {
    for (const Silence& s : changed) {
      payload.clear();
      EncodeSilence(s, &payload);
      AppendStateRecord(StateRecordType::kSilence, payload, &framed);
    }
    st = log_->Append(framed, changed.size());
  }
  if (!st.ok()) return st;
  absl::MutexLock l(&mu_);
  for (auto& e : entries) {
    auto [it, added] = by_id_.insert_or_assign(e->silence.id, e);
    if (added) ++version_;
  }
  return absl::OkStatus();
}

absl::StatusOr<SilenceView> Silences::Get(const std::string& id) const {
  absl::Time now = clock_();
  absl::ReaderMutexLock l(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return absl::NotFoundError("silence not found");
  return SilenceView{it->second->silence, StateAt(it->second->silence, now)};
}

std::vector<SilenceView> Silences::Query(const SilenceQuery& q) const {
  absl::Time now = clock_();
  std::vector<std::shared_ptr<const Entry>> candidates;
  {
    absl::ReaderMutexLock l(&mu_);
    if (!q.ids.empty()) {
      for (const std::string& id : q.ids) {
        auto it = by_id_.find(id);
        if (it != by_id_.end()) candidates.push_back(it->second);
      }
    } else {
      for (const auto& [id, e] : by_id_) candidates.push_back(e);
    }
  }
  std::vector<SilenceView> out;
  for (const auto& e : candidates) {
    SilenceState state = StateAt(e->silence, now);
    if (!q.states.empty() && std::find(q.states.begin(), q.states.end(), state) == q.states.end()) continue;
    if (q.matches.has_value() && !e->Matches(*q.matches)) continue;
    if (!FilterMatches(e->silence, q.filter)) continue;
    if (std::any_of(out.begin(), out.end(), [&](const SilenceView& v) { return v.silence.id == e->silence.id; })) {
      continue;  // an id asked for twice
    }
    out.push_back(SilenceView{e->silence, state});
  }
  std::sort(out.begin(), out.end(), ApiOrder);
  return out;
}

std::vector<std::string> Silences::MutedBy(const LabelSet& labels, absl::Time now) {
  std::vector<std::string> ids;
  absl::ReaderMutexLock l(&mu_);
  for (const auto& [id, e] : by_id_) {  // by_id_ is ordered: ids come out sorted
    if (StateAt(e->silence, now) == SilenceState::kActive && e->Matches(labels)) ids.push_back(id);
  }
  return ids;
}

uint64_t Silences::Version() const {
  absl::ReaderMutexLock l(&mu_);
  return version_;
}

size_t Silences::Size() const {
  absl::ReaderMutexLock l(&mu_);
  return by_id_.size();
}

int Silences::GC() {
  absl::MutexLock w(&write_mu_);
  return GcLocked();
}

int Silences::GcLocked() {
  absl::Time now = clock_();
  absl::MutexLock l(&mu_);
  // Alertmanager deletes once expires_at (ends_at + retention) is not after now.
  return static_cast<int>(std::erase_if(
      by_id_, [&](const auto& kv) { return kv.second->silence.ends_at + opts_.retention <= now; }));
}

absl::Status Silences::Maintenance() {
  absl::MutexLock w(&write_mu_);
  GcLocked();
  std::string framed;
  size_t count;
  {
    absl::ReaderMutexLock l(&mu_);
    count = by_id_.size();
    framed = FrameAll(by_id_, StateRecordType::kSilence,
                      [](const auto& e, std::string* out) { EncodeSilence(e->silence, out); });
  }
  return log_->Rewrite(framed, count);
}

}  // namespace pharos::am
