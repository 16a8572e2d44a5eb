// Fuzzes the XOR chunk decoder with untrusted bytes: it must never read out
// of bounds, must yield strictly increasing timestamps, at most the header's
// sample count, and whatever it decodes must survive re-encoding bit-exactly.
// Next(), Seek() and AppendUntil() must agree.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tsdb/chunkenc/xor.h"

namespace {

using pharos::storage::Sample;
using pharos::tsdb::chunkenc::XorAppender;
using pharos::tsdb::chunkenc::XorChunk;
using pharos::tsdb::chunkenc::XorIterator;

uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

bool Same(const std::vector<Sample>& a, const std::vector<Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].t != b[i].t || Bits(a[i].v) != Bits(b[i].v)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  XorIterator it(bytes);
  std::vector<Sample> got;
  while (it.Next()) {
    Sample s = it.At();
    if (!got.empty() && s.t <= got.back().t) std::abort();
    got.push_back(s);
  }
  if (static_cast<int>(got.size()) > it.NumSamples()) std::abort();

  // AppendUntil in two halves gives the same samples.
  if (!got.empty()) {
    XorIterator it2(bytes);
    std::vector<Sample> again;
    if (!it2.Next()) std::abort();
    int64_t mid = got[got.size() / 2].t;
    if (it2.AppendUntil(mid, &again)) it2.AppendUntil(INT64_MAX, &again);
    if (!Same(got, again)) std::abort();
    // Seek to each decoded timestamp finds it.
    XorIterator it3(bytes);
    for (size_t i = 0; i < got.size(); i += 1 + got.size() / 8) {
      if (!it3.Seek(got[i].t) || it3.At().t != got[i].t) std::abort();
    }
  }

  // Re-encoding what decoded round-trips bit-exactly.
  XorChunk c;
  XorAppender app(&c);
  for (const auto& s : got) {
    if (!app.Append(s.t, s.v)) std::abort();
  }
  XorIterator it4(c.Bytes());
  std::vector<Sample> round;
  while (it4.Next()) round.push_back(it4.At());
  if (!it4.Err().ok() || !Same(got, round)) std::abort();
  return 0;
}
