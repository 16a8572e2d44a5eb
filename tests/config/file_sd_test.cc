#include "config/file_sd.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/strings.h"
#include "config/config.h"

namespace pharos::config {
namespace {

const std::string kTestdata = std::string(PHAROS_SOURCE_DIR) + "/tests/config/testdata/";

TEST(FileSd, ParsesJson) {
  auto groups = ParseTargetGroupFile(R"([
  {"targets": ["a:1", "b:2"], "labels": {"env": "prod"}, "comment": "ignored"},
  {"targets": []}
])",
                                     "dir/t.json");
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].targets.size(), 2u);
  EXPECT_EQ((*groups)[0].targets[1].Get("__address__"), "b:2");
  EXPECT_EQ((*groups)[0].labels, (Labels{{"__meta_filepath", "dir/t.json"}, {"env", "prod"}}));
  EXPECT_EQ((*groups)[0].source, "dir/t.json:0");
  EXPECT_EQ((*groups)[1].source, "dir/t.json:1");
  EXPECT_EQ((*groups)[1].labels, (Labels{{"__meta_filepath", "dir/t.json"}}));
}

TEST(FileSd, ParsesCompactJson) {
  auto groups = ParseTargetGroupFile("[{\"targets\":[\"a:1\"],\"labels\":{\"k\":\"v\\/w\"}}]\n", "c.json");
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].targets[0].Get("__address__"), "a:1");
  EXPECT_EQ((*groups)[0].labels.Get("k"), "v/w");
}

TEST(FileSd, ParsesYaml) {
  auto groups = ParseTargetGroupFile("- targets: [a:1]\n  labels:\n    team: x\n", "t.YML");
  ASSERT_TRUE(groups.ok()) << groups.status();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].labels.Get("team"), "x");
  auto empty = ParseTargetGroupFile("", "t.yaml");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

struct BadFile {
  const char* path;
  const char* content;
  const char* error;
};

void PrintTo(const BadFile& b, std::ostream* os) { *os << b.path << ": " << b.content; }

const BadFile kBad[] = {
    {"t.yml", "- targets: [a:1]\n  lables: {x: y}\n", "t.yml:2:3: field lables not found in type targetgroup"},
    {"t.yml", "- targets: a:1\n", "t.yml:1:12: cannot unmarshal !!str `a:1` into []string"},
    {"t.yml", "- targets: [a]\n  labels: {'a b': c}\n", "t.yml:2:12: \"a b\" is not a valid label name"},
    {"t.yml", "- ~\n", "t.yml:1:1: nil target group item found"},
    {"t.json", "[{\"targets\": [8080]}]", "t.json:1:15: json: cannot unmarshal 8080 into a string"},
    {"t.json", "[{\"targets\": [\"a\"]}", "t.json:1:1: end of sequence flow not found"},
    {"t.json", "  ", "t.json: unexpected end of JSON input"},
    {"t.json", "{\"targets\": []}", "t.json:1:1: cannot unmarshal !!map into []*targetgroup.Group"},
    {"t.txt", "[]", "t.txt: unsupported file extension \".txt\" (want .json, .yml or .yaml)"},
};

class FileSdErrors : public testing::TestWithParam<BadFile> {};

TEST_P(FileSdErrors, NamePosition) {
  auto groups = ParseTargetGroupFile(GetParam().content, GetParam().path);
  ASSERT_FALSE(groups.ok());
  EXPECT_EQ(SV(groups.status().message()), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(Table, FileSdErrors, testing::ValuesIn(kBad));

TEST(FileSd, ExpandsGlobsAndReadsFiles) {
  FileSdConfig c;
  c.files = {kTestdata + "file_sd/*.json", kTestdata + "file_sd/*.yml", kTestdata + "file_sd/none-*.yml"};
  EXPECT_EQ(MatchFileSdFiles(c),
            (std::vector<std::string>{kTestdata + "file_sd/db.yml", kTestdata + "file_sd/web.json"}));
  std::vector<FileSdFile> files = ExpandFileSd(c);
  ASSERT_EQ(files.size(), 2u);
  ASSERT_TRUE(files[0].groups.ok()) << files[0].groups.status();
  EXPECT_EQ((*files[0].groups)[0].targets[0].Get("__address__"), "db-1:9187");
  ASSERT_TRUE(files[1].groups.ok()) << files[1].groups.status();
  ASSERT_EQ(files[1].groups->size(), 2u);
  EXPECT_EQ((*files[1].groups)[0].labels.Get("__meta_filepath"), kTestdata + "file_sd/web.json");
}

TEST(FileSd, OneBadFileDoesNotHideTheOthers) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pharos_file_sd_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "good.yml") << "- targets: [a:1]\n";
  std::ofstream(dir / "bad.yml") << "- targets: [a:1\n";
  FileSdConfig c;
  c.files = {(dir / "*.yml").string()};
  std::vector<FileSdFile> files = ExpandFileSd(c);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_FALSE(files[0].groups.ok());  // bad.yml sorts first
  EXPECT_NE(files[0].groups.status().message().find("bad.yml:"), absl::string_view::npos);
  EXPECT_TRUE(files[1].groups.ok());
  std::filesystem::remove_all(dir);
}

TEST(CheckConfig, SummarisesAValidFile) {
  auto report = CheckConfigFile(kTestdata + "paths.yml");
  // paths.yml names a credentials file that does not exist.
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("token"), absl::string_view::npos) << report.status();

  auto seed = CheckConfigFile(kTestdata + "seed_prometheus.yml");
  ASSERT_TRUE(seed.ok()) << seed.status();
  EXPECT_NE(seed->find("SUCCESS: " + kTestdata + "seed_prometheus.yml is valid prometheus config file syntax"),
            std::string::npos)
      << *seed;
  EXPECT_NE(seed->find("3 scrape configs, 3 static targets"), std::string::npos) << *seed;
}

TEST(CheckConfig, ParsesFileSdFilesAndReportsTheirErrors) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("pharos_check_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "pharos.yml") << "rule_files: [missing/*.yml]\n"
                                       "scrape_configs:\n  - job_name: f\n    file_sd_configs:\n"
                                       "      - files: [sd/*.json, absent.yml]\n";
  std::filesystem::create_directories(dir / "sd");
  std::ofstream(dir / "sd" / "a.json") << R"([{"targets": ["x:1", "y:2"]}])";
  auto ok = CheckConfigFile((dir / "pharos.yml").string());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_NE(ok->find("1 file_sd files with 2 targets"), std::string::npos) << *ok;
  EXPECT_NE(ok->find("WARNING: file \"" + (dir / "absent.yml").string()), std::string::npos) << *ok;
  EXPECT_NE(ok->find("1 rule files found"), std::string::npos) << *ok;

  std::ofstream(dir / "sd" / "b.json") << R"([{"targets": ["x:1"], "labels": {"0bad": "v"}}])";
  auto bad = CheckConfigFile((dir / "pharos.yml").string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(SV(bad.status().message()), (dir / "sd" / "b.json").string() + ":1:34: \"0bad\" is not a valid label name");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pharos::config
