// Metric relabeling cost per series: the common rules of a scrape job
// (drop some families, drop a label, rename with labelmap), on a series
// they leave alone and on one they change. Reports heap allocations per
// call, which should be zero in steady state.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "config/relabel_config.h"
#include "config/yaml_node.h"
#include "scrape/relabel/relabel.h"

namespace {

std::atomic<uint64_t> g_allocs{0};

}  // namespace

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace pharos::relabel {
namespace {

std::vector<config::RelabelConfig> Rules() {
  auto doc = config::YamlDocument::Parse(R"(
- {source_labels: [__name__], regex: 'go_gc_.*|process_.*', action: drop}
- {source_labels: [__name__, le], regex: 'http_.*_bucket;\+Inf', action: drop}
- {regex: 'pod_template_hash|controller_revision_hash', action: labeldrop}
- {source_labels: [env], regex: '(prod|staging)', target_label: tier, replacement: '${1}'}
)",
                                         "bench.yml");
  return *config::ParseRelabelConfigs(doc->root(), "null");
}

void Run(benchmark::State& state, const Labels& in, Outcome want) {
  auto rules = Rules();
  LabelsBuilder scratch;
  if (Apply(in, rules, &scratch) != want) state.SkipWithError("unexpected outcome");
  uint64_t before = g_allocs.load();
  for (auto _ : state) {
    Outcome o = Apply(in, rules, &scratch);
    benchmark::DoNotOptimize(o);
  }
  state.counters["allocs/op"] =
      benchmark::Counter(static_cast<double>(g_allocs.load() - before), benchmark::Counter::kAvgIterations);
  state.SetItemsProcessed(state.iterations());
}

void BM_RelabelUnchanged(benchmark::State& state) {
  Labels in{{"__name__", "http_requests_total"}, {"code", "200"}, {"instance", "web-1:8080"},
            {"job", "web"}, {"method", "GET"}, {"path", "/api/v1/deals"}};
  Run(state, in, Outcome::kUnchanged);
}
BENCHMARK(BM_RelabelUnchanged);

void BM_RelabelChanged(benchmark::State& state) {
  Labels in{{"__name__", "http_requests_total"}, {"code", "200"}, {"env", "prod"},
            {"instance", "web-1:8080"}, {"job", "web"}, {"pod_template_hash", "abc123"}};
  Run(state, in, Outcome::kChanged);
}
BENCHMARK(BM_RelabelChanged);

void BM_RelabelDropped(benchmark::State& state) {
  Labels in{{"__name__", "go_gc_duration_seconds"}, {"instance", "web-1:8080"}, {"job", "web"}};
  Run(state, in, Outcome::kDropped);
}
BENCHMARK(BM_RelabelDropped);

}  // namespace
}  // namespace pharos::relabel
