// Fuzzes the WAL reader: the input is one segment file. Every record the
// scanner accepts must lie inside the input, decoding its payload must not
// crash, and re-framing the accepted records must reproduce the good prefix.
// Then the same bytes go through Replay (with the truncation repair) on an
// in-memory Env, which must keep exactly that prefix.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "disk/fault_env.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/segment.h"
#include "tsdb/wal/wal.h"

using namespace pharos::tsdb::wal;  // NOLINT

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string reframed;
  auto decode = [&](uint8_t type, std::string_view payload) {
    if (payload.data() < in.data() || payload.data() + payload.size() > in.data() + in.size()) std::abort();
    AppendFrame(type, payload, &reframed);
    if (type == static_cast<uint8_t>(RecordType::kSeries)) {
      std::vector<RefSeries> s;
      return DecodeSeries(payload, &s).ok();
    }
    if (type == static_cast<uint8_t>(RecordType::kSamples)) {
      std::vector<RefSample> s;
      if (!DecodeSamples(payload, &s).ok()) return false;
      if (s.size() > payload.size()) std::abort();
      return true;
    }
    return true;
  };
  ScanResult r = ScanRecords(in, decode);
  if (r.good_bytes > size) std::abort();
  if (r.corrupt != (r.good_bytes < size)) std::abort();
  // Re-framing may include the payload that decode rejected (appended before
  // the check); compare the accepted prefix only.
  if (reframed.compare(0, r.good_bytes, in.substr(0, r.good_bytes)) != 0) std::abort();

  pharos::disk::FaultEnv env;
  if (!env.CreateDirs("/w").ok()) std::abort();
  env.SetContents("/w/00000000", std::string(in));
  ReplayStats st;
  absl::Status s = Replay(&env, "/w", [](RecordType, std::string_view) { return true; }, &st);
  if (!s.ok()) std::abort();
  auto after = env.Contents("/w/00000000");
  if (!after.ok()) std::abort();
  ScanResult r2 = ScanRecords(*after, [](uint8_t, std::string_view) { return true; });
  if (r2.corrupt) std::abort();
  return 0;
}
