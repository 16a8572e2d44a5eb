// A runner for Prometheus' PromQL test scripts (load / clear / eval …), as
// described in shared/conformance/promql/README.md. It loads each script's
// data into a MemoryStorage, runs the evals through promql::Engine and
// compares results with Prometheus' tolerance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace pharos::promql::testing {

struct ScriptOptions {
  // For every instant eval, also run it as a range query around t and pin
  // every selector with @ t and evaluate at other times (upstream's checks).
  bool range_cross_check = true;
  bool at_pinning_check = true;
  // > 0: an engine with a helper thread that gets every selector's series
  // in batches of this many (the parallel path, however small the data).
  size_t parallel_batch = 0;
};

struct EvalOutcome {
  int line = 0;
  std::string query;
  bool passed = false;
  bool skipped = false;  // native histograms
  std::string message;   // why it failed or was skipped
};

struct ScriptReport {
  std::string file;
  std::vector<EvalOutcome> evals;
  std::string fatal;  // a script error that stopped the run
  int passed() const;
  int failed() const;
  int skipped() const;
};

// Runs one script's text. `name` is used in messages.
ScriptReport RunScript(const std::string& name, const std::string& text, const ScriptOptions& opts = {});

}  // namespace pharos::promql::testing
