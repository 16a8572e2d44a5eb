// Fuzzes the Alertmanager state file (DIR/silences and DIR/nflog): the input
// is one whole file, read as both kinds. Every accepted record must lie inside
// the input and survive re-encoding unchanged; the good prefix must end where
// the scan says. Then Silences::Open and Nflog::Open load the same bytes from an
// in-memory Env: they may refuse a foreign header but must not crash, and after
// they repair a corrupt tail the file must scan clean.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "alertmanager/nflog.h"
#include "alertmanager/silences.h"
#include "alertmanager/state_file.h"
#include "disk/fault_env.h"

using namespace pharos::am;  // NOLINT

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

bool SameEntry(const NflogEntry& a, const NflogEntry& b) {
  return a.group_key == b.group_key && a.receiver == b.receiver && a.timestamp == b.timestamp &&
         a.expires_at == b.expires_at && a.firing_alerts == b.firing_alerts && a.resolved_alerts == b.resolved_alerts;
}

absl::Status RoundTrip(StateRecordType type, std::string_view payload) {
  if (type == StateRecordType::kSilence) {
    auto s = DecodeSilence(payload);
    if (!s.ok()) return s.status();
    std::string again;
    EncodeSilence(*s, &again);
    auto back = DecodeSilence(again);
    Check(back.ok() && *back == *s);
    return absl::OkStatus();
  }
  auto e = DecodeNflogEntry(payload);
  if (!e.ok()) return e.status();
  Check(e->firing_alerts.size() + e->resolved_alerts.size() <= payload.size() / 8);
  std::string again;
  EncodeNflogEntry(*e, &again);
  auto back = DecodeNflogEntry(again);
  Check(back.ok() && SameEntry(*back, *e));
  return absl::OkStatus();
}

void ScanAs(std::string_view in, StateKind kind) {
  auto scan = ScanStateFile(in, kind, [&](StateRecordType type, std::string_view payload) {
    Check(payload.data() >= in.data() && payload.data() + payload.size() <= in.data() + in.size());
    Check(payload.size() <= kMaxStateRecordBytes);
    return RoundTrip(type, payload);
  });
  if (!scan.ok()) return;
  Check(scan->good_bytes <= in.size());
  Check(scan->corrupt == (scan->good_bytes < in.size()));
  Check(scan->corrupt == !scan->error.empty());
}

// After Open, the file on "disk" is clean: whatever was corrupt was cut off.
void CheckClean(pharos::disk::FaultEnv& env, const std::string& path, StateKind kind) {
  auto after = env.Contents(path);
  Check(after.ok());
  auto scan = ScanStateFile(*after, kind, [](StateRecordType, std::string_view) { return absl::OkStatus(); });
  Check(scan.ok() && !scan->corrupt);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (4u << 20)) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ScanAs(in, StateKind::kSilences);
  ScanAs(in, StateKind::kNflog);

  const absl::Time now = absl::FromUnixSeconds(1700000000);
  {
    pharos::disk::FaultEnv env;
    Check(env.CreateDirs("/d").ok());
    env.SetContents("/d/silences", std::string(in));
    SilencesOptions o;
    o.dir = "/d";
    o.env = &env;
    o.clock = [now] { return now; };
    auto s = Silences::Open(o);
    if (s.ok()) {
      CheckClean(env, "/d/silences", StateKind::kSilences);
      // Whatever was loaded can be queried and muted against.
      (void)(*s)->Query({});
      (void)(*s)->MutedBy({{"alertname", "x"}}, now);
    }
  }
  {
    pharos::disk::FaultEnv env;
    Check(env.CreateDirs("/d").ok());
    env.SetContents("/d/nflog", std::string(in));
    NflogOptions o;
    o.dir = "/d";
    o.env = &env;
    o.clock = [now] { return now; };
    auto n = Nflog::Open(o);
    if (n.ok()) CheckClean(env, "/d/nflog", StateKind::kNflog);
  }
  return 0;
}
