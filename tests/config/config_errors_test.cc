// Every user error names FILE:LINE:COL (1-based) and what was wrong.
#include <gtest/gtest.h>

#include <string>

#include "common/strings.h"
#include "config/config.h"

namespace pharos::config {
namespace {

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* error;  // the exact message
};

const ErrorCase kCases[] = {
    {"unknown top-level key", "globl:\n  scrape_interval: 1m\n", "t.yml:1:1: field globl not found in type config"},
    {"unknown global key", "global:\n  scrape_interval: 15s\n  scrape_intervl: 1m\n",
     "t.yml:3:3: field scrape_intervl not found in type global"},
    {"unknown scrape key", "scrape_configs:\n  - job_name: a\n    static_config: []\n",
     "t.yml:3:5: field static_config not found in type scrape_config"},
    {"bad duration", "scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n",
     "t.yml:3:22: not a valid duration string: \"soon\""},
    {"bad bool", "scrape_configs:\n  - job_name: x\n    honor_labels: maybe\n",
     "t.yml:3:19: cannot unmarshal !!str `maybe` into bool"},
    {"quoted bool", "scrape_configs:\n  - job_name: x\n    honor_labels: 'true'\n",
     "t.yml:3:19: cannot unmarshal !!str `true` into bool"},
    {"negative uint", "global:\n  sample_limit: -1\n", "t.yml:2:17: cannot unmarshal !!int `-1` into uint"},
    {"list for scalar", "scrape_configs:\n  - job_name: [a]\n", "t.yml:2:15: cannot unmarshal !!seq into string"},
    {"scalar for list", "scrape_configs: 12\n",
     "t.yml:1:17: cannot unmarshal !!int `12` into []*config.ScrapeConfig"},
    {"duplicate key", "global:\n  scrape_interval: 1m\n  scrape_interval: 2m\n",
     "t.yml:3:3: mapping key \"scrape_interval\" already defined at line 2"},
    {"bad regex", "scrape_configs:\n  - job_name: x\n    relabel_configs:\n      - regex: '(abc'\n",
     "t.yml:4:16: invalid regex \"(abc\": missing ): (abc"},
    {"unknown action", "scrape_configs:\n  - job_name: x\n    relabel_configs:\n      - action: explode\n",
     "t.yml:4:17: unknown relabel action \"explode\""},
    {"relabel validation at rule", "scrape_configs:\n  - job_name: x\n    relabel_configs:\n      - action: hashmod\n        target_label: t\n",
     "t.yml:4:9: relabel configuration for hashmod requires non-zero modulus"},
    {"null relabel rule", "scrape_configs:\n  - job_name: x\n    relabel_configs:\n      -\n",
     "t.yml:4:7: empty or null target relabeling rule in scrape config"},
    {"missing job name", "scrape_configs:\n  - scrape_interval: 1m\n", "t.yml:2:5: job_name is empty"},
    {"duplicate job", "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
     "t.yml:3:5: found multiple scrape configs with job name \"a\""},
    {"timeout above interval", "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 6s\n",
     "t.yml:2:5: scrape timeout greater than scrape interval for scrape config with job name \"a\""},
    {"global timeout above interval", "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n",
     "t.yml:2:3: global scrape timeout greater than scrape interval"},
    {"unsupported sd", "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: []\n",
     "t.yml:3:5: kubernetes_sd_configs is not supported by pharos: use static_configs or file_sd_configs"},
    {"remote_write refused", "remote_write:\n  - url: http://x/\n", "t.yml:1:1: remote_write is not supported by pharos yet"},
    {"remote_read refused", "scrape_configs: []\nremote_read:\n  - url: http://x/\n",
     "t.yml:2:1: remote_read is not supported by pharos yet"},
    {"oauth2 refused", "scrape_configs:\n  - job_name: a\n    oauth2: {client_id: x}\n",
     "t.yml:3:5: oauth2 is not supported by pharos yet"},
    {"bearer and basic", "scrape_configs:\n  - job_name: a\n    bearer_token: t\n    basic_auth: {username: u}\n",
     "t.yml:2:5: at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"},
    {"bearer token and file", "scrape_configs:\n  - job_name: a\n    bearer_token: t\n    bearer_token_file: f\n",
     "t.yml:2:5: at most one of bearer_token & bearer_token_file must be configured"},
    {"authorization and bearer", "scrape_configs:\n  - job_name: a\n    bearer_token: t\n    authorization: {credentials: c}\n",
     "t.yml:2:5: authorization is not compatible with bearer_token & bearer_token_file"},
    {"authorization and basic", "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n",
     "t.yml:2:5: at most one of basic_auth, oauth2 & authorization must be configured"},
    {"credentials twice", "scrape_configs:\n  - job_name: a\n    authorization:\n      credentials: c\n      credentials_file: f\n",
     "t.yml:4:7: at most one of authorization credentials & credentials_file must be configured"},
    {"basic type", "scrape_configs:\n  - job_name: a\n    authorization:\n      type: Basic\n",
     "t.yml:4:7: authorization type cannot be set to \"basic\", use \"basic_auth\" instead"},
    {"password twice", "scrape_configs:\n  - job_name: a\n    basic_auth:\n      password: p\n      password_file: f\n",
     "t.yml:4:7: at most one of basic_auth password, password_file & password_ref must be configured"},
    {"cert without key", "scrape_configs:\n  - job_name: a\n    tls_config:\n      cert_file: c\n",
     "t.yml:4:7: exactly one of key or key_file must be configured when a client certificate is configured"},
    {"bad tls version", "scrape_configs:\n  - job_name: a\n    tls_config:\n      min_version: TLS99\n",
     "t.yml:4:20: unknown TLS version: TLS99"},
    {"url as target", "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://x:80/metrics']\n",
     "t.yml:2:5: \"http://x:80/metrics\" is not a valid hostname"},
    {"bad label name", "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: [a:1]\n        labels: {bad-name: x}\n",
     "t.yml:5:18: \"bad-name\" is not a valid label name"},
    {"bad external label", "global:\n  external_labels:\n    0x: y\n", "t.yml:3:5: \"0x\" is not a valid label name"},
    {"bad scheme", "scrape_configs:\n  - job_name: a\n    scheme: ftp\n",
     "t.yml:3:13: invalid scheme \"ftp\": must be http or https"},
    {"empty protocols", "scrape_configs:\n  - job_name: a\n    scrape_protocols: []\n",
     "t.yml:3:23: scrape_protocols cannot be empty"},
    {"unknown protocol", "global:\n  scrape_protocols: [Foo]\n",
     "t.yml:2:21: scrape_protocols: unknown scrape protocol Foo, supported: [OpenMetricsText0.0.1 "
     "OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4]"},
    {"repeated protocol", "global:\n  scrape_protocols: [PrometheusProto, prometheusproto]\n",
     "t.yml:2:21: duplicated protocol in scrape_protocols, got [PrometheusProto prometheusproto]"},
    {"alertmanager v1", "alerting:\n  alertmanagers:\n    - api_version: v1\n",
     "t.yml:3:20: expected Alertmanager api version to be one of [v2] but got v1"},
    {"file_sd without files", "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - refresh_interval: 1m\n",
     "t.yml:4:9: file service discovery config must contain at least one path name"},
    {"file_sd bad pattern", "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: ['*/x.json']\n",
     "t.yml:4:17: path name \"*/x.json\" is not valid for file discovery"},
    {"file_sd bad extension", "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [x.txt]\n",
     "t.yml:4:17: path name \"x.txt\" is not valid for file discovery"},
    {"rule file glob in directory", "rule_files: ['rules/*/a.yml']\n",
     "t.yml:1:14: invalid rule file path \"rules/*/a.yml\""},
    {"bad byte size", "global:\n  body_size_limit: 10XB\n", "t.yml:2:20: units: unknown unit XB in 10XB"},
    {"syntax error", "scrape_configs:\n  - job_name: [\n", "t.yml:3:1: end of sequence flow not found"},
    {"pharos section not yet known", "logs: []\n", "t.yml:1:1: field logs not found in type config"},
    {"invalid utf-8", "global:\n  query_log_file: a\xff\n", "t.yml:2:20: invalid UTF-8 byte 0xff"},
    {"root not a mapping", "- a\n", "t.yml:1:1: cannot unmarshal !!seq into config"},
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ConfigErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ConfigErrors, NamesPositionAndProblem) {
  const ErrorCase& c = GetParam();
  auto cfg = LoadString(c.yaml, "t.yml");
  ASSERT_FALSE(cfg.ok()) << c.name;
  EXPECT_TRUE(absl::IsInvalidArgument(cfg.status())) << cfg.status();
  EXPECT_EQ(SV(cfg.status().message()), c.error) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrors, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<ErrorCase>& info) {
                           std::string n;
                           for (const char* p = info.param.name; *p; ++p) {
                             n.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
                           }
                           return n;
                         });

TEST(ConfigErrorsLimits, DeepNestingIsRefused) {
  std::string yaml = "global:\n  external_labels: ";
  for (int i = 0; i < 200; ++i) yaml += "[";
  for (int i = 0; i < 200; ++i) yaml += "]";
  auto cfg = LoadString(yaml, "deep.yml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("deep.yml:"), absl::string_view::npos) << cfg.status();
}

TEST(ConfigErrorsLimits, AliasBombStopsAtTheBudget) {
  // Each level refers to the previous one ten times: 10^9 nodes if expanded.
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ", *a" : "*a") + std::to_string(i - 1);
    yaml += "]\n";
  }
  yaml += "rule_files: *a9\n";
  auto cfg = LoadString(yaml, "bomb.yml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("bomb.yml:"), absl::string_view::npos) << cfg.status();
}

TEST(ConfigErrorsLimits, OversizedDocumentIsRefused) {
  std::string yaml(kMaxConfigBytes + 1, '#');
  auto cfg = LoadString(yaml, "big.yml");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("exceeds the limit"), absl::string_view::npos) << cfg.status();
}

}  // namespace
}  // namespace pharos::config
