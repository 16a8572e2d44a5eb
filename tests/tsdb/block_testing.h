// Helpers shared by the block, compaction and merge tests: scratch
// directories, random series in a MemoryStorage (the oracle), and draining
// queriers into comparable maps.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "disk/env.h"
#include "storage/memory_storage.h"
#include "storage/querier.h"

namespace pharos::tsdb::testing {

// A fresh directory under the test temp dir, removed at destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static int n = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("pharos_block_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++)))
                .string();
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using SeriesMap = std::map<Labels, std::vector<storage::Sample>>;

inline uint64_t Bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Drains a set; fails the test on errors or unsorted output.
inline SeriesMap Drain(storage::SeriesSet* set) {
  SeriesMap out;
  const Labels* prev = nullptr;
  Labels prev_copy;
  while (set->Next()) {
    const auto& s = set->At();
    if (prev != nullptr) {
      EXPECT_LT(Labels::Compare(prev_copy, s.labels()), 0) << s.labels().ToString();
    }
    prev_copy = s.labels();
    prev = &prev_copy;
    auto it = s.Iterator();
    std::vector<storage::Sample> samples;
    while (it->Next()) samples.push_back(it->At());
    EXPECT_TRUE(it->Err().ok()) << it->Err();
    if (!samples.empty()) out[s.labels()] = std::move(samples);
  }
  EXPECT_TRUE(set->Err().ok()) << set->Err();
  return out;
}

inline SeriesMap Query(storage::Queryable* q, int64_t mint, int64_t maxt, const Matchers& ms) {
  auto querier = q->NewQuerier(mint, maxt);
  EXPECT_TRUE(querier.ok()) << querier.status();
  auto set = (*querier)->Select(true, nullptr, ms);
  return Drain(set.get());
}

// Bit-exact comparison (NaNs included).
inline void ExpectSameSeries(const SeriesMap& want, const SeriesMap& got) {
  ASSERT_EQ(want.size(), got.size());
  for (const auto& [ls, ws] : want) {
    auto it = got.find(ls);
    ASSERT_NE(it, got.end()) << ls.ToString();
    ASSERT_EQ(ws.size(), it->second.size()) << ls.ToString();
    for (size_t i = 0; i < ws.size(); ++i) {
      ASSERT_EQ(ws[i].t, it->second[i].t) << ls.ToString() << " #" << i;
      ASSERT_EQ(Bits(ws[i].v), Bits(it->second[i].v)) << ls.ToString() << " #" << i;
    }
  }
}

// Random series: a few metric names and label combinations, irregular
// timestamps in [mint, maxt], values of every kind (NaN and stale markers too).
inline void FillRandom(storage::MemoryStorage* st, std::mt19937_64& rng, int nseries, int64_t mint, int64_t maxt,
                       int max_samples) {
  const char* names[] = {"up", "http_requests_total", "node_cpu_seconds_total", "go_goroutines"};
  const char* jobs[] = {"api", "db", "node", "web"};
  for (int i = 0; i < nseries; ++i) {
    Labels ls{{"__name__", names[rng() % 4]},
              {"job", jobs[rng() % 4]},
              {"instance", "host" + std::to_string(rng() % 50) + ":9100"},
              {"id", std::to_string(i)}};
    if (rng() % 3 == 0) ls = LabelsBuilder(ls).Set("mode", rng() % 2 ? "idle" : "user").Build();
    int n = 1 + static_cast<int>(rng() % max_samples);
    int64_t t = mint + static_cast<int64_t>(rng() % 30000);
    double v = static_cast<double>(rng() % 1000);
    for (int k = 0; k < n && t <= maxt; ++k) {
      switch (rng() % 10) {
        case 0: v = storage::StaleNaN(); break;
        case 1: v = static_cast<double>(rng() % 100) / 7; break;
        case 2: break;
        default: v += static_cast<double>(rng() % 10);
      }
      EXPECT_TRUE(st->Add(ls, t, v).ok());
      t += rng() % 5 == 0 ? 1 + static_cast<int64_t>(rng() % 100000) : 15000;
    }
  }
}

inline Matcher M(MatchType t, std::string_view n, std::string_view v) { return Matcher::MustMake(t, n, v); }

}  // namespace pharos::tsdb::testing
