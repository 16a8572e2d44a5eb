// Shared by the scrape benchmarks: the loadgen-shaped body and a storage
// that only counts what it is given.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "storage/appender.h"

namespace pharos::scrape::testing {

// testdata/loadgen_1000.txt: one body of `loadgen print --series 1000`
// (997 samples).
inline const std::string& LoadgenBody() {
  static const std::string body = [] {
    std::ifstream in(PHAROS_SOURCE_DIR "/bench/scrape/testdata/loadgen_1000.txt", std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  return body;
}
inline constexpr uint64_t kLoadgenSamples = 997;

// Hands out refs on first sight and accepts every sample by ref; counts
// what it got.
class CountingStorage : public storage::Appendable {
 public:
  uint64_t samples = 0;
  uint64_t next_ref = 1;

  class App : public storage::Appender {
   public:
    explicit App(CountingStorage* s) : s_(s) {}
    absl::StatusOr<storage::SeriesRef> Append(storage::SeriesRef ref, const Labels&, int64_t, double v) override {
      benchmark::DoNotOptimize(v);
      ++s_->samples;
      return ref != 0 ? ref : s_->next_ref++;
    }
    absl::Status Commit() override { return absl::OkStatus(); }
    void Rollback() override {}

   private:
    CountingStorage* s_;
  };
  std::unique_ptr<storage::Appender> NewAppender() override { return std::make_unique<App>(this); }
};

}  // namespace pharos::scrape::testing
