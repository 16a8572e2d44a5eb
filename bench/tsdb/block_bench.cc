// Block size and read speed on scrape-shaped data.
//
// BM_BlockBytesPerSample writes one 2h block of a node-exporter-like mix of
// series scraped every 15 s and reports its size on disk (chunks + index +
// meta.json) per sample. The mix (per 100 series):
//   30 constant gauges (info metrics, limits, filesystem sizes, up)
//   25 integer gauges that change now and then (goroutines, fds, processes)
//   30 integer counters (requests, bytes, packets; mostly small increments)
//   10 float counters with two decimals (cpu seconds)
//    5 noisy float gauges (load averages, temperatures)
// Timestamps are on a 15 s grid (the scraper snaps timestamps within 2 ms of
// the schedule to it); 5% of scrapes are late by 3-40 ms.
//
// BM_BlockSelectDecode opens that block and decodes every sample of one
// metric through the querier (samples/s). BM_BlockReadAllCold opens the
// block afresh each time (so every zstd frame is decompressed) and decodes
// every sample of every series, as compaction and wide queries do.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "disk/env.h"
#include "tsdb/block/block.h"

namespace pharos::tsdb::block {
namespace {

constexpr int64_t kT0 = 1700006400000;  // a 2h boundary
constexpr int64_t kRange = 2 * 3600 * 1000;
constexpr int64_t kStep = 15000;

struct GenSeries {
  Labels labels;
  std::vector<storage::Sample> samples;
};

class VecSeries final : public storage::Series {
 public:
  const Labels& labels() const override { return s_->labels; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return std::make_unique<storage::VectorIterator>(s_->samples);
  }
  const GenSeries* s_ = nullptr;
};

class VecSet final : public storage::SeriesSet {
 public:
  explicit VecSet(const std::vector<GenSeries>* v) : v_(v) {}
  bool Next() override {
    if (++i_ >= v_->size()) return false;
    cur_.s_ = &(*v_)[i_];
    return true;
  }
  const storage::Series& At() const override { return cur_; }

 private:
  const std::vector<GenSeries>* v_;
  size_t i_ = static_cast<size_t>(-1);
  VecSeries cur_;
};

std::vector<GenSeries> Realistic(int targets) {
  std::mt19937_64 rng(42);
  std::vector<GenSeries> out;
  const char* kinds[] = {"const", "igauge", "counter", "fcounter", "fgauge"};
  const int per_kind[] = {30, 25, 30, 10, 5};
  for (int tg = 0; tg < targets; ++tg) {
    std::string instance = "10.0." + std::to_string(tg / 250) + "." + std::to_string(tg % 250) + ":9100";
    for (int k = 0; k < 5; ++k) {
      for (int i = 0; i < per_kind[k]; ++i) {
        GenSeries s;
        s.labels = Labels{{"__name__", std::string("node_") + kinds[k] + "_" + std::to_string(i % 7)},
                          {"instance", instance},
                          {"job", "node"},
                          {"device", "dev" + std::to_string(i)}};
        double v = static_cast<double>(rng() % 100000);
        if (k == 3) v = std::round(v * 1.37) / 100;
        int64_t t = kT0;
        for (int64_t n = 0; n < kRange / kStep; ++n) {
          int64_t ts = kT0 + n * kStep + (rng() % 20 == 0 ? 3 + static_cast<int64_t>(rng() % 38) : 0);
          switch (k) {
            case 0: break;
            case 1:
              if (rng() % 4 == 0) v += static_cast<double>(static_cast<int>(rng() % 7) - 3);
              break;
            case 2: {
              uint64_t r = rng() % 10;
              v += r < 3 ? 0 : r < 8 ? static_cast<double>(rng() % 20) : static_cast<double>(rng() % 5000);
              break;
            }
            case 3: v = std::round((v + static_cast<double>(rng() % 1500) / 100) * 100) / 100; break;
            default: v = std::round((1.5 + std::sin(static_cast<double>(n) / 40) + static_cast<double>(rng() % 100) / 500) * 100) / 100;
          }
          if (ts > t || n == 0) s.samples.push_back({ts, v});
          t = ts;
        }
        out.push_back(std::move(s));
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const GenSeries& a, const GenSeries& b) { return a.labels < b.labels; });
  return out;
}

std::string ScratchDir() {
  auto p = std::filesystem::temp_directory_path() / ("pharos_block_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p.string();
}

// Decodes every sample of the series matching `ms` (all for none); returns
// how many there were.
uint64_t DecodeAll(Block* b, const Matchers& ms, std::vector<storage::Sample>* buf) {
  auto q = b->NewQuerier(kT0, kT0 + kRange - 1);
  auto ss = (*q)->Select(true, nullptr, ms);
  uint64_t n = 0;
  while (ss->Next()) {
    auto it = ss->At().Iterator();
    buf->clear();
    if (it->Next()) it->AppendUntil(INT64_MAX, buf);
    n += buf->size();
  }
  return n;
}

void BM_BlockBytesPerSample(benchmark::State& state) {
  auto data = Realistic(static_cast<int>(state.range(0)));
  uint64_t samples = 0;
  for (const auto& s : data) samples += s.samples.size();
  std::string dir = ScratchDir();
  disk::Env* env = disk::PosixEnv();
  uint64_t total = 0, index = 0, chunks = 0;
  for (auto _ : state) {
    VecSet set(&data);
    auto ulid = WriteBlock(env, dir, &set, kT0, kT0 + kRange - 1);
    if (!ulid.ok() || ulid->empty()) {
      state.SkipWithError("WriteBlock failed");
      break;
    }
    state.PauseTiming();
    auto b = Block::Open(env, dir + "/" + *ulid);
    if (!b.ok() || (*b)->meta().stats.num_samples != samples) state.SkipWithError("block does not hold every sample");
    total = *env->DirSize(dir + "/" + *ulid);
    index = *env->FileSize(dir + "/" + *ulid + "/index");
    chunks = *env->DirSize(dir + "/" + *ulid + "/chunks");
    (void)DeleteBlockDir(env, dir, *ulid);
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(samples));
  state.counters["series"] = static_cast<double>(data.size());
  state.counters["samples"] = static_cast<double>(samples);
  state.counters["bytes_per_sample"] = static_cast<double>(total) / static_cast<double>(samples);
  state.counters["chunk_bytes_per_sample"] = static_cast<double>(chunks) / static_cast<double>(samples);
  state.counters["index_bytes_per_sample"] = static_cast<double>(index) / static_cast<double>(samples);
}
BENCHMARK(BM_BlockBytesPerSample)->Arg(20)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_BlockSelectDecode(benchmark::State& state) {
  auto data = Realistic(100);
  std::string dir = ScratchDir();
  disk::Env* env = disk::PosixEnv();
  VecSet set(&data);
  auto ulid = WriteBlock(env, dir, &set, kT0, kT0 + kRange - 1);
  auto b = Block::Open(env, dir + "/" + *ulid);
  if (!b.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  Matchers ms = {Matcher::MustMake(MatchType::kEqual, "__name__", "node_counter_0")};
  uint64_t want = 0;
  for (const auto& s : data) {
    if (s.labels.MetricName() == "node_counter_0") want += s.samples.size();
  }
  std::vector<storage::Sample> buf;
  uint64_t n = 0;
  for (auto _ : state) {
    n = DecodeAll(b->get(), ms, &buf);
    if (n != want) state.SkipWithError("wrong sample count");
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_BlockSelectDecode)->Unit(benchmark::kMicrosecond);

void BM_BlockReadAllCold(benchmark::State& state) {
  auto data = Realistic(20);
  uint64_t want = 0;
  for (const auto& s : data) want += s.samples.size();
  std::string dir = ScratchDir();
  disk::Env* env = disk::PosixEnv();
  VecSet set(&data);
  auto ulid = WriteBlock(env, dir, &set, kT0, kT0 + kRange - 1);
  if (!ulid.ok() || ulid->empty()) {
    state.SkipWithError("WriteBlock failed");
    return;
  }
  std::vector<storage::Sample> buf;
  for (auto _ : state) {
    auto b = Block::Open(env, dir + "/" + *ulid);
    if (!b.ok()) {
      state.SkipWithError("open failed");
      break;
    }
    if (DecodeAll(b->get(), {}, &buf) != want) state.SkipWithError("wrong sample count");
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(want));
}
BENCHMARK(BM_BlockReadAllCold)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pharos::tsdb::block
