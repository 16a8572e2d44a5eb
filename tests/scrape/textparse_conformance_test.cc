// Runs the upstream exposition conformance data (PHAROS_CONFORMANCE_DIR/
// exposition) through the parsers:
//   - every OpenMetrics case must be accepted or rejected as its test.json
//     says, unless it is listed with a reason in
//     textparse_openmetrics_known_differences.txt;
//   - both Prometheus text payloads parse and give the same samples.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse {
namespace {

namespace fs = std::filesystem;

const fs::path kExpositionDir = fs::path(PHAROS_CONFORMANCE_DIR) / "exposition";
const fs::path kKnownDifferences =
    fs::path(PHAROS_SOURCE_DIR) / "tests/scrape/textparse_openmetrics_known_differences.txt";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// "shouldParse": true|false in a test.json.
bool ShouldParse(const std::string& json, bool* out) {
  size_t k = json.find("\"shouldParse\"");
  if (k == std::string::npos) return false;
  size_t v = json.find_first_not_of(" \t\r\n:", k + std::strlen("\"shouldParse\""));
  if (v == std::string::npos) return false;
  if (json.compare(v, 4, "true") == 0) *out = true;
  else if (json.compare(v, 5, "false") == 0) *out = false;
  else return false;
  return true;
}

// Case name -> reason, from lines "<case> <reason...>"; '#' starts a comment.
std::map<std::string, std::string> ReadKnownDifferences() {
  std::map<std::string, std::string> out;
  std::istringstream in(ReadFile(kKnownDifferences));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find_first_of(" \t");
    std::string name = line.substr(0, sp);
    std::string reason = sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
    EXPECT_FALSE(reason.empty()) << "known difference without a reason: " << name;
    EXPECT_TRUE(out.emplace(name, reason).second) << "listed twice: " << name;
  }
  return out;
}

// Parses a whole body, materializing every series' labels and exemplar as a
// scrape would on a cache miss. Returns Err() (OK when accepted).
absl::Status ParseAll(Format format, const std::string& body) {
  Parser p(format, body);
  Labels labels;
  for (;;) {
    switch (p.Next()) {
      case Entry::kEof: return absl::OkStatus();
      case Entry::kError: return p.Err();
      case Entry::kSeries:
        p.Labels(&labels);
        if (p.HasExemplar()) p.ExemplarLabels(&labels);
        break;
      default: break;
    }
  }
}

TEST(TextparseConformance, OpenMetricsCases) {
  fs::path dir = kExpositionDir / "openmetrics";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no conformance data at " << dir;
  std::map<std::string, std::string> known = ReadKnownDifferences();
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  ASSERT_FALSE(cases.empty());

  int correct = 0, listed = 0, wrong = 0;
  std::set<std::string> seen;
  for (const fs::path& c : cases) {
    std::string name = c.filename().string();
    seen.insert(name);
    bool should_parse = false;
    ASSERT_TRUE(ShouldParse(ReadFile(c / "test.json"), &should_parse)) << name;
    absl::Status st = ParseAll(Format::kOpenMetrics, ReadFile(c / "metrics"));
    bool ok = st.ok() == should_parse;
    if (std::getenv("PHAROS_VERBOSE") != nullptr) {
      std::printf("%-45s %s\n", name.c_str(), st.ok() ? "accepted" : std::string(st.message()).c_str());
    }
    auto it = known.find(name);
    if (ok) {
      ++correct;
      EXPECT_EQ(it, known.end()) << name << " is listed as a known difference but is now handled "
                                 << "as test.json says; remove it from the list";
    } else if (it != known.end()) {
      ++listed;
    } else {
      ++wrong;
      ADD_FAILURE() << name << ": expected " << (should_parse ? "accept" : "reject") << ", got "
                    << (st.ok() ? "accepted" : std::string(st.message()));
    }
  }
  for (const auto& [name, reason] : known) {
    EXPECT_TRUE(seen.contains(name)) << "known difference for a case that does not exist: " << name;
  }
  std::printf("OpenMetrics conformance: %zu cases, %d as expected, %d known differences, %d wrong\n",
              cases.size(), correct, listed, wrong);
}

struct Sample {
  std::string labels;
  uint64_t value_bits;
  bool has_timestamp;
  int64_t timestamp;
  friend bool operator==(const Sample&, const Sample&) = default;
};

std::vector<Sample> Samples(const std::string& body, int* metadata) {
  std::vector<Sample> out;
  *metadata = 0;
  Parser p(Format::kPrometheusText, body);
  Labels labels;
  for (;;) {
    Entry e = p.Next();
    if (e == Entry::kEof) break;
    if (e == Entry::kError) {
      ADD_FAILURE() << p.Err();
      break;
    }
    if (e == Entry::kHelp || e == Entry::kType) ++*metadata;
    if (e != Entry::kSeries) continue;
    p.Labels(&labels);
    double v = p.Value();
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    out.push_back(Sample{labels.ToString(), bits, p.HasTimestamp(), p.Timestamp()});
  }
  return out;
}

TEST(TextparseConformance, PrometheusTextPayloadsGiveTheSameSamples) {
  fs::path dir = kExpositionDir / "prometheus-text";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no conformance data at " << dir;
  int with_meta = 0, without_meta = 0;
  std::vector<Sample> a = Samples(ReadFile(dir / "promtestdata.txt"), &with_meta);
  std::vector<Sample> b = Samples(ReadFile(dir / "promtestdata.nometa.txt"), &without_meta);
  EXPECT_EQ(a.size(), 410u);
  EXPECT_EQ(with_meta, 2 * 59);
  EXPECT_EQ(without_meta, 0);
  EXPECT_TRUE(a == b);
}

}  // namespace
}  // namespace pharos::scrape::textparse
