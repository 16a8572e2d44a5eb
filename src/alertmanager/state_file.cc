#include "alertmanager/state_file.h"

#include <array>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/crc32c.h"
#include "disk/env.h"

namespace pharos::am {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutVarint(std::string* out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out->push_back(static_cast<char>(0x80 | (v & 0x7f)));
  out->push_back(static_cast<char>(v));
}
void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}
uint32_t ReadU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Times are signed Unix nanoseconds; the infinities map to the int64 ends.
void PutTime(std::string* out, absl::Time t) {
  int64_t ns;
  if (t == absl::InfinitePast()) {
    ns = std::numeric_limits<int64_t>::min();
  } else if (t == absl::InfiniteFuture()) {
    ns = std::numeric_limits<int64_t>::max();
  } else {
    ns = absl::ToUnixNanos(t);
  }
  PutU64(out, static_cast<uint64_t>(ns));
}

// A bounds-checked reader over one record payload.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t left() const { return in_.size() - pos_; }
  const std::string& error() const { return error_; }

  uint64_t U64() {
    if (!Need(8, "fixed64")) return 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += 8;
    return v;
  }
  uint8_t U8() {
    if (!Need(1, "byte")) return 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!Need(1, "varint")) return 0;
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      if (shift == 63 && b > 1) return Fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail("varint longer than 10 bytes");
  }
  std::string String(const char* what) {
    uint64_t n = Varint();
    if (!ok_) return {};
    if (n > left()) {
      Fail(absl::StrCat(what, ": length ", n, " exceeds the ", left(), " bytes left"));
      return {};
    }
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  absl::Time Time() {
    auto ns = static_cast<int64_t>(U64());
    if (ns == std::numeric_limits<int64_t>::min()) return absl::InfinitePast();
    if (ns == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
    return absl::FromUnixNanos(ns);
  }
  // A count of items of at least `min_bytes` each: refused when the bytes
  // left cannot hold them, so no allocation exceeds the payload's size.
  uint64_t Count(size_t min_bytes, const char* what) {
    uint64_t n = Varint();
    if (ok_ && n > left() / min_bytes) {
      Fail(absl::StrCat(what, ": count ", n, " exceeds what the ", left(), " bytes left can hold"));
      return 0;
    }
    return n;
  }
  uint64_t Fail(std::string msg) {
    if (ok_) {
      ok_ = false;
      error_ = absl::StrCat(msg, " (at payload byte ", pos_, ")");
    }
    return 0;
  }
  absl::Status Finish(const char* what) {
    if (ok_ && left() != 0) Fail(absl::StrCat(left(), " trailing bytes"));
    if (ok_) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("bad ", what, " record: ", error_));
  }

 private:
  bool Need(size_t n, const char* what) {
    if (!ok_) return false;
    if (left() < n) {
      Fail(absl::StrCat("truncated ", what));
      return false;
    }
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::string error_;
};

std::string_view KindName(StateKind kind) { return kind == StateKind::kSilences ? "silences" : "nflog"; }

}  // namespace

uint32_t StateCrc32c(std::string_view data) { return Crc32c(data); }

std::string StateFileHeader(StateKind kind) {
  std::string h(kStateMagic, sizeof(kStateMagic));
  h.push_back(static_cast<char>(kStateVersion));
  h.push_back(static_cast<char>(kind));
  h.append(2, '\0');
  return h;
}

void AppendStateRecord(StateRecordType type, std::string_view payload, std::string* out) {
  std::string checked;
  checked.reserve(payload.size() + 1);
  checked.push_back(static_cast<char>(type));
  checked.append(payload);
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, StateCrc32c(checked));
  out->append(checked);
}

void EncodeSilence(const Silence& s, std::string* out) {
  PutString(out, s.id);
  PutString(out, s.created_by);
  PutString(out, s.comment);
  PutTime(out, s.starts_at);
  PutTime(out, s.ends_at);
  PutTime(out, s.updated_at);
  PutVarint(out, s.matchers.size());
  for (const SilenceMatcher& m : s.matchers) {
    out->push_back(static_cast<char>(m.type));
    PutString(out, m.name);
    PutString(out, m.value);
  }
}

absl::StatusOr<Silence> DecodeSilence(std::string_view payload) {
  Cursor c(payload);
  Silence s;
  s.id = c.String("id");
  s.created_by = c.String("created_by");
  s.comment = c.String("comment");
  s.starts_at = c.Time();
  s.ends_at = c.Time();
  s.updated_at = c.Time();
  uint64_t n = c.Count(3, "matchers");  // type and two empty strings at least
  for (uint64_t i = 0; i < n && c.ok(); ++i) {
    SilenceMatcher m;
    uint8_t t = c.U8();
    if (c.ok() && t > static_cast<uint8_t>(MatchType::kRegexNoMatch)) {
      c.Fail(absl::StrCat("unknown matcher type ", t));
      break;
    }
    m.type = static_cast<MatchType>(t);
    m.name = c.String("matcher name");
    m.value = c.String("matcher value");
    s.matchers.push_back(std::move(m));
  }
  if (c.ok() && s.id.empty()) c.Fail("empty silence id");
  if (absl::Status st = c.Finish("silence"); !st.ok()) return st;
  return s;
}

void EncodeNflogEntry(const NflogEntry& e, std::string* out) {
  PutString(out, e.group_key);
  PutString(out, e.receiver.group_name);
  PutString(out, e.receiver.integration);
  PutVarint(out, e.receiver.idx);
  PutTime(out, e.timestamp);
  PutTime(out, e.expires_at);
  PutVarint(out, e.firing_alerts.size());
  for (uint64_t fp : e.firing_alerts) PutU64(out, fp);
  PutVarint(out, e.resolved_alerts.size());
  for (uint64_t fp : e.resolved_alerts) PutU64(out, fp);
}

absl::StatusOr<NflogEntry> DecodeNflogEntry(std::string_view payload) {
  Cursor c(payload);
  NflogEntry e;
  e.group_key = c.String("group_key");
  e.receiver.group_name = c.String("receiver");
  e.receiver.integration = c.String("integration");
  uint64_t idx = c.Varint();
  if (c.ok() && idx > std::numeric_limits<uint32_t>::max()) c.Fail(absl::StrCat("integration index ", idx, " too large"));
  e.receiver.idx = static_cast<uint32_t>(idx);
  e.timestamp = c.Time();
  e.expires_at = c.Time();
  for (auto* list : {&e.firing_alerts, &e.resolved_alerts}) {
    uint64_t n = c.Count(8, "alerts");
    list->reserve(n);
    for (uint64_t i = 0; i < n && c.ok(); ++i) list->push_back(c.U64());
  }
  if (absl::Status st = c.Finish("nflog"); !st.ok()) return st;
  return e;
}

absl::StatusOr<StateScan> ScanStateFile(std::string_view data, StateKind kind, const StateRecordFn& fn) {
  StateScan scan;
  std::string header = StateFileHeader(kind);
  if (data.size() < kStateHeaderBytes) {
    // A torn header (the file was being created): nothing was stored yet,
    // unless the bytes are not even a prefix of ours.
    if (data != std::string_view(header).substr(0, data.size())) {
      return absl::DataLossError("offset 0: not a Pharos Alertmanager state file (bad header)");
    }
    scan.corrupt = !data.empty();
    if (scan.corrupt) scan.error = absl::StrCat("torn file header (", data.size(), " of ", kStateHeaderBytes, " bytes)");
    return scan;
  }
  if (std::memcmp(data.data(), kStateMagic, sizeof(kStateMagic)) != 0) {
    return absl::DataLossError("offset 0: not a Pharos Alertmanager state file (bad magic)");
  }
  auto version = static_cast<uint8_t>(data[4]);
  if (version != kStateVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("offset 4: unsupported state file version ", version, " (this Pharos reads version ", kStateVersion, ")"));
  }
  auto file_kind = static_cast<uint8_t>(data[5]);
  if (file_kind != static_cast<uint8_t>(kind)) {
    return absl::DataLossError(absl::StrCat("offset 5: state file of kind ", file_kind, ", expected ",
                                            static_cast<int>(kind), " (", AV(KindName(kind)), ")"));
  }
  size_t pos = kStateHeaderBytes;
  scan.good_bytes = pos;
  while (pos < data.size()) {
    size_t left = data.size() - pos;
    if (left < kStateRecordHeaderBytes) {
      scan.error = absl::StrCat("torn record header (", left, " bytes)");
      break;
    }
    uint32_t len = ReadU32(data.data() + pos);
    uint32_t crc = ReadU32(data.data() + pos + 4);
    if (len > kMaxStateRecordBytes) {
      scan.error = absl::StrCat("record length ", len, " exceeds the limit of ", kMaxStateRecordBytes);
      break;
    }
    if (left - kStateRecordHeaderBytes < len) {
      scan.error = absl::StrCat("torn record (", len, " payload bytes, ", left - kStateRecordHeaderBytes, " present)");
      break;
    }
    std::string_view checked = data.substr(pos + 8, len + 1);
    if (StateCrc32c(checked) != crc) {
      scan.error = "record checksum mismatch";
      break;
    }
    auto type = static_cast<uint8_t>(checked[0]);
    bool known = (kind == StateKind::kSilences && type == static_cast<uint8_t>(StateRecordType::kSilence)) ||
                 (kind == StateKind::kNflog && type == static_cast<uint8_t>(StateRecordType::kNflogEntry));
    if (!known) {
      scan.error = absl::StrCat("unknown record type ", static_cast<int>(type), " in a ", AV(KindName(kind)), " file");
      break;
    }
    if (absl::Status st = fn(static_cast<StateRecordType>(type), checked.substr(1)); !st.ok()) {
      scan.error = std::string(SV(st.message()));
      break;
    }
    pos += kStateRecordHeaderBytes + len;
    scan.good_bytes = pos;
    ++scan.records;
  }
  scan.corrupt = scan.good_bytes < data.size();
  return scan;
}

StateLog::StateLog(disk::Env* env, std::string path, StateKind kind)
    : env_(env), path_(std::move(path)), kind_(kind) {}

StateLog::~StateLog() {
  if (file_ != nullptr) (void)file_->Close();
}

absl::StatusOr<std::unique_ptr<StateLog>> StateLog::Open(disk::Env* env, std::string path, StateKind kind,
                                                         const StateRecordFn& fn, StateScan* recovery) {
  std::unique_ptr<StateLog> log(new StateLog(env, std::move(path), kind));
  if (!env->Exists(log->path_)) {
    if (absl::Status s = log->Rewrite("", 0); !s.ok()) return s;
    if (recovery != nullptr) *recovery = StateScan{};
    return log;
  }
  auto data = env->ReadFile(log->path_);
  if (!data.ok()) return data.status();
  auto scan = ScanStateFile(*data, kind, fn);
  if (!scan.ok()) {
    return absl::Status(scan.status().code(), absl::StrCat(log->path_, ": ", scan.status().message()));
  }
  if (recovery != nullptr) *recovery = *scan;
  if (scan->corrupt) {
    log::Warn("alertmanager", "state file has a corrupt tail; loaded the records before it",
              {{"path", log->path_},
               {"offset", scan->good_bytes},
               {"size", data->size()},
               {"error", scan->error},
               {"records", scan->records}});
    // Keep the bad bytes for inspection, then rewrite the good prefix so
    // that new records never follow garbage.
    if (absl::Status s = disk::WriteFileAtomic(env, log->path_ + ".corrupt", *data); !s.ok()) return s;
    std::string_view good = std::string_view(*data).substr(0, scan->good_bytes);
    good.remove_prefix(std::min(good.size(), kStateHeaderBytes));
    if (absl::Status s = log->Rewrite(good, scan->records); !s.ok()) return s;
    return log;
  }
  log->records_ = scan->records;
  if (absl::Status s = log->Reopen(); !s.ok()) return s;
  return log;
}

absl::Status StateLog::Reopen() {
  if (file_ != nullptr) (void)file_->Close();
  file_.reset();
  auto f = env_->NewAppendableFile(path_);
  if (!f.ok()) {
    needs_rewrite_ = true;
    return f.status();
  }
  file_ = std::move(*f);
  return absl::OkStatus();
}

absl::Status StateLog::Append(std::string_view framed_records, uint64_t count) {
  if (needs_rewrite_ || file_ == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": an earlier write failed; the file must be rewritten"));
  }
  absl::Status s = file_->Append(framed_records);
  if (s.ok()) s = file_->Flush();
  if (s.ok()) s = file_->Sync();
  if (!s.ok()) {
    needs_rewrite_ = true;
    return absl::Status(s.code(), absl::StrCat("writing ", path_, ": ", s.message()));
  }
  records_ += count;
  return absl::OkStatus();
}

absl::Status StateLog::Rewrite(std::string_view framed_records, uint64_t count) {
  std::string data = StateFileHeader(kind_);
  data.append(framed_records);
  if (absl::Status s = disk::WriteFileAtomic(env_, path_, data); !s.ok()) {
    needs_rewrite_ = true;
    return absl::Status(s.code(), absl::StrCat("rewriting ", path_, ": ", s.message()));
  }
  needs_rewrite_ = false;
  records_ = count;
  return Reopen();
}

}  // namespace pharos::am
