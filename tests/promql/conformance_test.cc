// Runs the upstream PromQL test scripts (PHAROS_CONFORMANCE_DIR/promql, see
// its README.md) and the project's own scripts in tests/promql/testdata.
// Native-histogram cases are skipped and counted. Evals listed in
// conformance_known_failures.txt (file:line reason) may fail; every other
// eval must pass, and a listed eval that passes fails the test so that the
// list only shrinks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "promql/testing/script.h"

namespace pharos::promql::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "file:line" -> reason.
std::map<std::string, std::string> KnownFailures() {
  std::map<std::string, std::string> out;
  std::ifstream in(fs::path(PHAROS_SOURCE_DIR) / "tests/promql/conformance_known_failures.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find(' ');
    out[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  return out;
}

struct Totals {
  int passed = 0, failed = 0, known = 0, skipped = 0;
};

void RunFolder(const fs::path& dir, const fs::path& base, Totals* totals, const ScriptOptions& opts = {}) {
  if (!fs::exists(dir)) {
    std::cout << "[conformance] " << dir << " does not exist: skipped\n";
    return;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  auto known = KnownFailures();
  for (const auto& f : files) {
    std::string rel = fs::relative(f, base).string();
    if (rel.find("native-histograms") != std::string::npos) {
      // Native histograms are out of scope: count the evals, run none.
      std::istringstream in(ReadFile(f));
      std::string line;
      int n = 0;
      while (std::getline(in, line)) {
        size_t p = line.find_first_not_of(" \t");
        if (p != std::string::npos && line.compare(p, 4, "eval") == 0) ++n;
      }
      std::cout << "[conformance] " << rel << ": " << n << " skipped (native histograms)\n";
      totals->skipped += n;
      continue;
    }
    ScriptReport rep = RunScript(rel, ReadFile(f), opts);
    EXPECT_TRUE(rep.fatal.empty()) << rep.fatal;
    int passed = 0, failed = 0, kn = 0, skipped = 0;
    for (const auto& e : rep.evals) {
      std::string key = rel + ":" + std::to_string(e.line);
      bool is_known = known.count(key) > 0;
      if (e.skipped) {
        ++skipped;
      } else if (e.passed) {
        ++passed;
        EXPECT_FALSE(is_known) << key << " passes now: remove it from conformance_known_failures.txt";
      } else if (is_known) {
        ++kn;
      } else {
        ++failed;
        ADD_FAILURE() << key << ": " << e.query << "\n  " << e.message;
      }
    }
    std::cout << "[conformance] " << rel << ": " << passed << " passed, " << failed << " failed, " << kn
              << " known failures, " << skipped << " skipped (native histograms)\n";
    totals->passed += passed;
    totals->failed += failed;
    totals->known += kn;
    totals->skipped += skipped;
  }
}

TEST(PromqlConformance, UpstreamScripts) {
  Totals t;
  fs::path base = fs::path(PHAROS_CONFORMANCE_DIR) / "promql";
  RunFolder(base, base, &t);
  std::cout << "[conformance] total: " << t.passed << " passed, " << t.failed << " failed, " << t.known
            << " known failures, " << t.skipped << " skipped (native histograms)\n";
}

// The same with every selector's series handed to a helper thread in small
// batches (two at a time, so the second is selected while the first is
// evaluated): parallel evaluation must not change any answer, error or
// annotation.
TEST(PromqlConformance, UpstreamScriptsParallel) {
  for (size_t batch : {1, 3}) {
    Totals t;
    ScriptOptions opts;
    opts.parallel_batch = batch;
    fs::path base = fs::path(PHAROS_CONFORMANCE_DIR) / "promql";
    RunFolder(base, base, &t, opts);
    std::cout << "[conformance] parallel, batches of " << batch << ": " << t.passed << " passed, " << t.failed
              << " failed, " << t.known << " known failures\n";
  }
}

TEST(PromqlConformance, ProjectScripts) {
  Totals t;
  fs::path base = fs::path(PHAROS_SOURCE_DIR) / "tests/promql/testdata";
  RunFolder(base, base, &t);
  EXPECT_GT(t.passed, 0);
}

}  // namespace
}  // namespace pharos::promql::testing
