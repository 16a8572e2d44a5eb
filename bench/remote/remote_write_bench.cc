// Remote write receive: decoding and the whole receive path (snappy,
// protobuf, label validation, appends) into an appender that keeps nothing,
// so the numbers are the receiver's own cost.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>

#include <snappy.h>

#include "remote/snappy_block.h"
#include "remote/write_receiver.h"
#include "remote/write_request.h"

namespace pharos::remote {
namespace {

// A request of 1000 series x 10 samples: the seed corpus' 20-series request
// repeated (concatenated protobuf messages merge their repeated fields).
std::string RawRequest() {
  std::ifstream in(std::string(PHAROS_SOURCE_DIR) + "/fuzz/corpus/remote_write/valid_many_series.snappy",
                   std::ios::binary);
  std::string z((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string one;
  if (!SnappyDecode(z, 1 << 20, &one).ok()) std::abort();
  std::string raw;
  for (int i = 0; i < 50; ++i) raw += one;
  return raw;
}

class NullAppendable : public storage::Appendable {
 public:
  std::unique_ptr<storage::Appender> NewAppender() override {
    struct A : storage::Appender {
      absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels& l, int64_t, double) override {
        return ref != 0 ? ref : l.size();
      }
      absl::Status Commit() override { return absl::OkStatus(); }
      void Rollback() override {}
    };
    return std::make_unique<A>();
  }
};

void BM_DecodeWriteRequest(benchmark::State& state) {
  std::string raw = RawRequest();
  WriteRequestView view;
  for (auto _ : state) {
    if (!DecodeWriteRequest(raw, {}, &view).ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(view.samples.data());
  }
  if (view.samples.size() != 10000) state.SkipWithError("wrong sample count");
  state.SetBytesProcessed(state.iterations() * raw.size());
  state.SetItemsProcessed(state.iterations() * view.samples.size());
}
BENCHMARK(BM_DecodeWriteRequest);

void BM_ReceiveWriteRequest(benchmark::State& state) {
  std::string raw = RawRequest();
  std::string body;
  snappy::Compress(raw.data(), raw.size(), &body);
  NullAppendable app;
  WriteReceiver receiver(&app, {}, nullptr, [] { return absl::FromUnixSeconds(1714557600); });
  WriteStats stats;
  for (auto _ : state) {
    if (!receiver.Receive(body, &stats).ok()) state.SkipWithError("receive failed");
  }
  if (stats.samples != 10000) state.SkipWithError("wrong sample count");
  state.SetBytesProcessed(state.iterations() * body.size());
  state.SetItemsProcessed(state.iterations() * stats.samples);
}
BENCHMARK(BM_ReceiveWriteRequest);

}  // namespace
}  // namespace pharos::remote
