// Throughput of the exposition parsers: MB/s and samples/s.
//
// Inputs: the Prometheus text payload of the exposition conformance data
// (promtestdata.txt, a Prometheus server's own /metrics) and a body shaped
// like the benchmark workload (testdata/loadgen_1000.txt, rendered by
// `loadgen print --series 1000`), also converted to OpenMetrics.
//
// "Scan" is the steady-state scrape path: Next() and the series bytes, value
// and timestamp of every sample (the cache hit). "Labels" also materializes
// each sample's labels (every sample a cache miss).
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "common/labels.h"
#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string ConformanceDir() {
  const char* env = std::getenv("PHAROS_CONFORMANCE_DIR");
  return env != nullptr ? env : PHAROS_SOURCE_DIR "/../shared/conformance";
}

const std::string& PromTestData() {
  static const std::string body =
      ReadFile(ConformanceDir() + "/exposition/prometheus-text/promtestdata.txt");
  return body;
}

const std::string& LoadgenText() {
  static const std::string body = ReadFile(PHAROS_SOURCE_DIR "/bench/scrape/testdata/loadgen_1000.txt");
  return body;
}

// The loadgen body as OpenMetrics: counter families lose their "_total"
// (which stays on the samples) and the body ends with "# EOF".
const std::string& LoadgenOpenMetrics() {
  static const std::string body = [] {
    std::istringstream in(LoadgenText());
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string line = lines[i];
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        // Is this family a counter? Its TYPE line is this one or the next.
        const std::string& type = line.rfind("# TYPE ", 0) == 0 ? line : lines[i + 1];
        size_t name_end = line.find(' ', 7);
        std::string name = line.substr(7, name_end - 7);
        if (type.size() > 8 && type.compare(type.size() - 8, 8, " counter") == 0 &&
            name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0) {
          line = line.substr(0, 7) + name.substr(0, name.size() - 6) + line.substr(name_end);
        }
      }
      out += line;
      out += '\n';
    }
    return out + "# EOF\n";
  }();
  return body;
}

enum class Path { kScan, kLabels };

void Parse(benchmark::State& state, Format format, const std::string& body, Path path,
           size_t want_samples) {
  if (body.empty()) {
    state.SkipWithError("input not found");
    return;
  }
  size_t samples = 0;
  Labels labels;
  for (auto _ : state) {
    Parser p(format, body);
    samples = 0;
    double sum = 0;
    for (Entry e; (e = p.Next()) != Entry::kEof;) {
      if (e == Entry::kError) {
        state.SkipWithError(std::string(p.Err().message()).c_str());
        return;
      }
      if (e != Entry::kSeries) continue;
      ++samples;
      benchmark::DoNotOptimize(p.Series().data());
      sum += p.Value() + static_cast<double>(p.HasTimestamp() ? p.Timestamp() : 0);
      if (path == Path::kLabels) {
        p.Labels(&labels);
        benchmark::DoNotOptimize(labels.size());
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  if (samples != want_samples) state.SkipWithError("unexpected number of samples");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));
}

void BM_Text_PromTestData(benchmark::State& state) {
  Parse(state, Format::kPrometheusText, PromTestData(), Path::kScan, 410);
}
void BM_Text_Loadgen(benchmark::State& state) {
  Parse(state, Format::kPrometheusText, LoadgenText(), Path::kScan, 997);
}
void BM_OpenMetrics_Loadgen(benchmark::State& state) {
  Parse(state, Format::kOpenMetrics, LoadgenOpenMetrics(), Path::kScan, 997);
}
void BM_Text_Loadgen_Labels(benchmark::State& state) {
  Parse(state, Format::kPrometheusText, LoadgenText(), Path::kLabels, 997);
}
void BM_OpenMetrics_Loadgen_Labels(benchmark::State& state) {
  Parse(state, Format::kOpenMetrics, LoadgenOpenMetrics(), Path::kLabels, 997);
}

BENCHMARK(BM_Text_PromTestData);
BENCHMARK(BM_Text_Loadgen);
BENCHMARK(BM_OpenMetrics_Loadgen);
BENCHMARK(BM_Text_Loadgen_Labels);
BENCHMARK(BM_OpenMetrics_Loadgen_Labels);

}  // namespace
}  // namespace pharos::scrape::textparse
