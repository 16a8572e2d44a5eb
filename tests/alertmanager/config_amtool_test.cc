// Conformance with the real Alertmanager 0.25: every file in
// testdata/config/amtool/ starts with "# amtool 0.25: <what amtool
// check-config printed>" (SUCCESS or its error), captured from Debian's
// prometheus-alertmanager 0.25. Pharos must accept what amtool accepts and
// refuse the rest with the same message (after the position and, for URL
// settings, the key's name). The few deliberate differences are listed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "alertmanager/config.h"
#include "common/strings.h"

namespace pharos::am {
namespace {

const std::string kDir = std::string(PHAROS_SOURCE_DIR) + "/tests/alertmanager/testdata/config/amtool/";

// File -> why Pharos answers differently (docs/alertmanager-config.md).
const std::map<std::string, std::string> kDifferences = {
    {"mre2.yml", "RE2's wording of regex errors"},
    {"mm3.yml", "RE2's wording of regex errors"},
    {"c51.yml", "RE2's wording of regex errors"},
    {"c08.yml", "max_alerts must be an integer"},
    {"c22.yml", "a webhook url of <secret> loads (dumps hide webhook URLs)"},
    {"c111.yml", "null time interval items are refused"},
    {"r18.yml", "receiver types Pharos does not implement are refused by name"},
};

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "FILE:L:C: msg" -> "msg".
std::string WithoutPosition(std::string msg, const std::string& path) {
  if (msg.rfind(path + ":", 0) == 0) {
    msg = msg.substr(path.size() + 1);
    for (int colons = 0; colons < 2 && !msg.empty();) {
      if (msg[0] == ':') ++colons;
      msg.erase(0, 1);
    }
    if (!msg.empty() && msg[0] == ' ') msg.erase(0, 1);
  }
  return msg;
}

bool SameMessage(const std::string& ours, const std::string& amtool) {
  if (ours == amtool) return true;
  // URL settings name their key first: "url: unsupported scheme ...".
  size_t colon = ours.find(": ");
  if (colon != std::string::npos && ours.substr(colon + 2) == amtool &&
      ours.substr(0, colon).find(' ') == std::string::npos) {
    return true;
  }
  // Strict decoding: Go names its internal types ("config.plain"), Pharos the section.
  const std::string field = "field ";
  if (ours.rfind(field, 0) == 0 && amtool.rfind(field, 0) == 0) {
    return ours.substr(0, ours.find(" in type")) == amtool.substr(0, amtool.find(" in type"));
  }
  const std::string unmarshal = "cannot unmarshal ";
  if (ours.rfind(unmarshal, 0) == 0 && amtool.rfind(unmarshal, 0) == 0) {
    return ours.substr(0, ours.find(" into")) == amtool.substr(0, amtool.find(" into"));
  }
  return false;
}

TEST(AmConfigAmtool, SameVerdictsAndMessages) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() == ".yml") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 100u);
  int compared = 0;
  for (const std::string& name : files) {
    if (kDifferences.contains(name)) continue;
    const std::string path = kDir + name;
    const std::string head = FirstLine(path);
    const std::string prefix = "# amtool 0.25: ";
    ASSERT_EQ(head.rfind(prefix, 0), 0u) << name;
    const std::string expected = head.substr(prefix.size());
    auto c = LoadConfigFile(path);
    ++compared;
    if (expected == "SUCCESS") {
      EXPECT_TRUE(c.ok()) << name << ": " << c.status();
      continue;
    }
    if (c.ok()) {
      ADD_FAILURE() << name << ": loaded, amtool says: " << expected;
      continue;
    }
    std::string ours = WithoutPosition(std::string(SV(c.status().message())), path);
    EXPECT_TRUE(SameMessage(ours, expected)) << name << "\n  pharos: " << ours << "\n  amtool: " << expected;
  }
  EXPECT_GT(compared, 100);
}

TEST(AmConfigAmtool, DifferencesStillDiffer) {
  // Each listed difference is real: a file that starts to agree leaves the list.
  for (const auto& [name, why] : kDifferences) {
    const std::string path = kDir + name;
    ASSERT_TRUE(std::filesystem::exists(path)) << name;
    const std::string expected = FirstLine(path).substr(std::string("# amtool 0.25: ").size());
    auto c = LoadConfigFile(path);
    bool agrees = expected == "SUCCESS"
                      ? c.ok()
                      : !c.ok() && SameMessage(WithoutPosition(std::string(SV(c.status().message())), path), expected);
    EXPECT_FALSE(agrees) << name << " (" << why << ") now agrees with amtool";
  }
}

}  // namespace
}  // namespace pharos::am
