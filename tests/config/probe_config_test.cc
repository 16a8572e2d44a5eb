// Probe module files (blackbox_exporter's format plus the database probers)
// and the `probes:` section of the main config.
#include "config/probe_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "common/strings.h"
#include "config/config.h"

namespace pharos::config {
namespace {

TEST(ProbeConfig, DebianBlackboxExampleLoadsAsItIs) {
  for (const char* path : {"/etc/prometheus/blackbox.yml",
                           "/usr/share/doc/prometheus-blackbox-exporter/examples/blackbox.yml",
                           "/usr/share/doc/prometheus-blackbox-exporter/examples/example.yml"}) {
    if (!std::ifstream(path).good()) GTEST_SKIP() << path << " is missing (prometheus-blackbox-exporter)";
    auto mods = LoadProbeModulesFile(path);
    ASSERT_TRUE(mods.ok()) << path << ": " << mods.status();
    EXPECT_FALSE(mods->modules.empty()) << path;
  }
  auto mods = LoadProbeModulesFile("/etc/prometheus/blackbox.yml");
  ASSERT_TRUE(mods.ok());
  const ProbeModule* irc = mods->Find("irc_banner");
  ASSERT_NE(irc, nullptr);
  ASSERT_EQ(irc->tcp.query_response.size(), 4u);
  EXPECT_EQ(irc->tcp.query_response[2].expect, "PING :([^ ]+)");
  EXPECT_EQ(irc->tcp.query_response[2].send, "PONG ${1}");
  EXPECT_EQ(mods->Find("http_post_2xx")->http.method, "POST");
  EXPECT_EQ(mods->Find("icmp_ttl5")->timeout_ms, 5000);
  EXPECT_EQ(mods->Find("icmp_ttl5")->icmp.ttl, 5);
  // icmp and grpc load but say why they cannot run.
  EXPECT_NE(mods->Find("icmp")->Unsupported().find("icmp"), std::string::npos);
  EXPECT_NE(mods->Find("grpc")->Unsupported(), "");
  EXPECT_EQ(mods->Find("http_2xx")->Unsupported(), "");
  EXPECT_TRUE(mods->Find("pop3s_banner")->tcp.tls);
}

TEST(ProbeConfig, FullHttpModule) {
  auto mods = LoadProbeModulesString(R"(modules:
  web:
    prober: http
    timeout: 3s
    http:
      valid_status_codes: [200, 301]
      valid_http_versions: ["HTTP/1.1", "HTTP/2.0"]
      method: POST
      headers: {Host: example.org, Accept: text/html, X-Api-Key: k3yk3yk3y}
      body: '{"x": 1}'
      no_follow_redirects: true
      fail_if_not_ssl: true
      fail_if_body_matches_regexp: ["Error"]
      fail_if_body_not_matches_regexp: ["ok.*"]
      fail_if_header_matches:
        - header: Set-Cookie
          regexp: '.*'
          allow_missing: true
      fail_if_header_not_matches:
        - {header: Content-Type, regexp: 'text/.*'}
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      basic_auth: {username: u, password: hunter2}
      tls_config: {insecure_skip_verify: true, server_name: example.org}
)",
                                     "m.yml");
  ASSERT_TRUE(mods.ok()) << mods.status();
  const ProbeModule& m = *mods->Find("web");
  EXPECT_EQ(m.timeout_ms, 3000);
  EXPECT_EQ(m.http.valid_status_codes, (std::vector<int>{200, 301}));
  EXPECT_EQ(m.http.method, "POST");
  EXPECT_EQ(m.http.headers.size(), 3u);
  EXPECT_FALSE(m.http.http_client.follow_redirects);
  EXPECT_TRUE(m.http.fail_if_not_ssl);
  EXPECT_EQ(m.http.fail_if_header_matches[0].header, "Set-Cookie");
  EXPECT_TRUE(m.http.fail_if_header_matches[0].allow_missing);
  EXPECT_EQ(m.http.preferred_ip_protocol, "ip4");
  EXPECT_EQ(m.http.http_client.basic_auth->password, "hunter2");
  EXPECT_TRUE(m.http.http_client.tls_config.insecure_skip_verify);
  std::string d = DescribeModule(m);
  EXPECT_EQ(d.find("hunter2"), std::string::npos) << d;
  EXPECT_EQ(d.find("k3yk3yk3y"), std::string::npos) << d;
  EXPECT_NE(d.find("header Accept: text/html"), std::string::npos) << d;
  EXPECT_NE(d.find("<secret>"), std::string::npos) << d;
}

TEST(ProbeConfig, DatabaseProbers) {
  auto mods = LoadProbeModulesString(R"(modules:
  pg:
    prober: postgres
    timeout: 2s
    postgres:
      dsn: "postgresql://app:s3cret@db:5432/app?sslmode=disable"
      query: SELECT count(*) FROM pg_stat_activity
      expected: "1"
  pg_kv:
    prober: postgres
    postgres: {dsn: "host=db port=5432 user=app password='x y' dbname=app", password_env: PGPW}
  rd:
    prober: redis
    redis:
      username: probe
      password_file: secret.txt
      db: 2
      info_checks: {role: master, connected_slaves: '[1-9][0-9]*'}
  mg:
    prober: mongodb
    mongodb: {username: admin, password: pw, auth_source: admin}
)",
                                     "m.yml");
  ASSERT_TRUE(mods.ok()) << mods.status();
  EXPECT_EQ(mods->Find("pg")->postgres.expected, "1");
  EXPECT_EQ(mods->Find("pg_kv")->postgres.password.password_env, "PGPW");
  EXPECT_EQ(mods->Find("rd")->redis.db, 2);
  EXPECT_EQ(mods->Find("rd")->redis.info_checks.size(), 2u);
  EXPECT_EQ(mods->Find("mg")->mongodb.username, "admin");
  std::string d = DescribeModule(*mods->Find("pg"));
  EXPECT_EQ(d.find("s3cret"), std::string::npos) << d;
  EXPECT_NE(d.find("postgresql://app:<secret>@db:5432/app"), std::string::npos) << d;
  EXPECT_EQ(DescribeModule(*mods->Find("pg_kv")).find("x y"), std::string::npos);
  EXPECT_EQ(DescribeModule(*mods->Find("mg")).find("pw\n"), std::string::npos);
}

TEST(ProbeConfig, PasswordSources) {
  PasswordSource p;
  p.password = "inline";
  EXPECT_EQ(*ResolvePassword(p), "inline");
  setenv("PHAROS_PROBE_TEST_PW", "from-env", 1);
  p = PasswordSource{};
  p.password_env = "PHAROS_PROBE_TEST_PW";
  EXPECT_EQ(*ResolvePassword(p), "from-env");
  p.password_env = "PHAROS_PROBE_TEST_UNSET_VARIABLE";
  EXPECT_FALSE(ResolvePassword(p).ok());
  std::string file = ::testing::TempDir() + "/pw.txt";
  std::ofstream(file) << "from-file\n";
  p = PasswordSource{};
  p.password_file = file;
  EXPECT_EQ(*ResolvePassword(p), "from-file");
}

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* error;
};

const ErrorCase kErrors[] = {
    {"unknown prober", "modules:\n  x:\n    prober: ftp\n",
     "m.yml:3:13: unknown prober \"ftp\": want one of http, tcp, dns, icmp, grpc, postgres, redis, mongodb"},
    {"missing prober", "modules:\n  x:\n    timeout: 1s\n", "m.yml:2:3: module \"x\": prober must be set"},
    {"unknown module key", "modules:\n  x:\n    prober: http\n    htp: {}\n",
     "m.yml:4:5: field htp not found in type config.Module"},
    {"unknown http key", "modules:\n  x:\n    prober: http\n    http:\n      methd: GET\n",
     "m.yml:5:7: field methd not found in type config.HTTPProbe"},
    {"bad body regex", "modules:\n  x:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: ['(a']\n",
     "m.yml:5:37: error parsing regexp \"(a\": missing ): (a"},
    {"bad expect regex", "modules:\n  x:\n    prober: tcp\n    tcp:\n      query_response:\n        - expect: 'a['\n",
     "m.yml:6:19: error parsing regexp \"a[\": missing ]: ["},
    {"bad header regex",
     "modules:\n  x:\n    prober: http\n    http:\n      fail_if_header_matches: [{header: A, regexp: '*'}]\n",
     "m.yml:5:32: error parsing regexp \"*\": no argument for repetition operator: *"},
    {"bad dsn keyword", "modules:\n  x:\n    prober: postgres\n    postgres:\n      dsn: 'hots=db'\n",
     "m.yml:5:12: invalid dsn: invalid connection option \"hots\""},
    {"bad dsn syntax", "modules:\n  x:\n    prober: postgres\n    postgres:\n      dsn: 'host'\n",
     "m.yml:5:12: invalid dsn: missing \"=\" after \"host\" at byte 4"},
    {"bad dsn uri port", "modules:\n  x:\n    prober: postgres\n    postgres:\n      dsn: 'postgres://u@h:abc/db'\n",
     "m.yml:5:12: invalid dsn: invalid port \"abc\" in URI"},
    {"bad dsn uri param", "modules:\n  x:\n    prober: postgres\n    postgres:\n      dsn: 'postgres://h/db?sslmod=x'\n",
     "m.yml:5:12: invalid dsn: invalid URI query parameter \"sslmod\""},
    {"two passwords", "modules:\n  x:\n    prober: redis\n    redis: {password: a, password_file: b}\n",
     "m.yml:4:26: at most one of password, password_file & password_env must be configured"},
    {"dns without name", "modules:\n  x:\n    prober: dns\n    dns: {query_type: A}\n",
     "m.yml:4:10: query name must be set for DNS module"},
    {"bad rcode", "modules:\n  x:\n    prober: dns\n    dns: {query_name: a, valid_rcodes: [NOPE]}\n",
     "m.yml:4:40: invalid rcode \"NOPE\""},
    {"bad ip protocol", "modules:\n  x:\n    prober: tcp\n    tcp: {preferred_ip_protocol: ip5}\n",
     "m.yml:4:34: unknown preferred_ip_protocol \"ip5\": want ip4 or ip6"},
    {"bad status code type", "modules:\n  x:\n    prober: http\n    http: {valid_status_codes: [ok]}\n",
     "m.yml:4:33: cannot unmarshal !!str `ok` into int"},
    {"ssl both", "modules:\n  x:\n    prober: http\n    http: {fail_if_ssl: true, fail_if_not_ssl: true}\n",
     "m.yml:4:11: fail_if_ssl and fail_if_not_ssl cannot both be true"},
    {"bad info check regex", "modules:\n  x:\n    prober: redis\n    redis: {info_checks: {role: '(x'}}\n",
     "m.yml:4:33: error parsing regexp \"(x\": missing ): (x"},
};

TEST(ProbeConfig, ErrorsNamePosition) {
  for (const ErrorCase& c : kErrors) {
    auto r = LoadProbeModulesString(c.yaml, "m.yml");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(SV(r.status().message()), c.error) << c.name;
  }
}

TEST(ProbeConfig, ProbesSectionOfMainConfig) {
  auto cfg = LoadString(R"(global: {scrape_interval: 15s}
probes:
  modules:
    redis_ping: {prober: redis, timeout: 2s}
  targets:
    - {name: redis, module: redis_ping, target: '127.0.0.1:6379', interval: 15s, critical: true}
    - {name: web, module: http_2xx, target: 'http://127.0.0.1:8080/'}
)",
                        "p.yml");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  ASSERT_EQ(cfg->probes.targets.size(), 2u);
  EXPECT_TRUE(cfg->probes.targets[0].critical);
  EXPECT_EQ(cfg->probes.targets[0].interval_ms, 15000);
  EXPECT_EQ(cfg->probes.targets[1].interval_ms, 15000);
  EXPECT_FALSE(cfg->probes.targets[1].critical);
  EXPECT_EQ(cfg->probes.targets[1].where, "p.yml:7:7");
  // http_2xx comes from the module file.
  ProbeModules file;
  EXPECT_EQ(SV(CheckProbeTargets(cfg->probes, file).message()),
            "p.yml:7:7: probe target \"web\": unknown module \"http_2xx\"");
  auto blackbox = LoadProbeModulesString("modules: {http_2xx: {prober: http}, icmp: {prober: icmp}}", "b.yml");
  ASSERT_TRUE(blackbox.ok());
  EXPECT_TRUE(CheckProbeTargets(cfg->probes, *blackbox).ok());
  EXPECT_EQ(FindProbeModule(cfg->probes, *blackbox, "redis_ping")->prober, "redis");

  auto icmp = LoadString("probes:\n  targets:\n    - {name: gw, module: icmp, target: 10.0.0.1}\n", "p.yml");
  ASSERT_TRUE(icmp.ok());
  auto s = CheckProbeTargets(icmp->probes, *blackbox);
  EXPECT_NE(SV(s.message()).find("p.yml:3:7: probe target \"gw\": module \"icmp\": prober icmp is not supported"),
            std::string_view::npos)
      << s;
}

TEST(ProbeConfig, ProbesSectionErrors) {
  const ErrorCase cases[] = {
      {"unknown target key", "probes:\n  targets:\n    - {name: a, module: m, target: t, intervl: 1s}\n",
       "p.yml:3:39: field intervl not found in type probes.Target"},
      {"missing target", "probes:\n  targets:\n    - {name: a, module: m}\n",
       "p.yml:3:7: probe target \"a\": target must be set"},
      {"duplicate name", "probes:\n  targets:\n    - {name: a, module: m, target: t}\n    - {name: a, module: m, target: u}\n",
       "p.yml:4:7: probe target name \"a\" already used at p.yml:3:7"},
      {"inline icmp", "probes:\n  modules: {ping: {prober: icmp}}\n  targets:\n    - {name: a, module: ping, target: t}\n",
       "p.yml:4:7: probe target \"a\": module \"ping\": prober icmp is not supported by pharos (it needs raw sockets); "
       "use a tcp or http module"},
      {"unknown probes key", "probes:\n  target: []\n", "p.yml:2:3: field target not found in type probes"},
      {"bad interval", "probes:\n  targets:\n    - {name: a, module: m, target: t, interval: soon}\n",
       "p.yml:3:49: not a valid duration string: \"soon\""},
  };
  for (const ErrorCase& c : cases) {
    auto r = LoadString(c.yaml, "p.yml");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(SV(r.status().message()), c.error) << c.name;
  }
}

TEST(ProbeConfig, DsnRedaction) {
  EXPECT_EQ(RedactDsn("postgresql://u:pw@h:5432/db?password=x&sslmode=disable"),
            "postgresql://u:<secret>@h:5432/db?password=<secret>&sslmode=disable");
  EXPECT_EQ(RedactDsn("host=h password='a b' user=u"), "host=h password=<secret> user=u");
  EXPECT_EQ(RedactDsn("postgres://u@h/db"), "postgres://u@h/db");
  EXPECT_TRUE(ValidatePostgresDsn("postgresql://u@[::1]:5432,h2:5433/db?sslmode=disable").ok());
  EXPECT_TRUE(ValidatePostgresDsn("").ok());
}

}  // namespace
}  // namespace pharos::config

namespace pharos::config {
namespace {

// The fuzz seeds are real, loadable module files (so fuzzing starts from
// inputs that reach every prober's parser).
TEST(ProbeConfig, FuzzSeedsLoad) {
  for (const char* name : {"blackbox_shapes.yml", "databases.yml"}) {
    auto mods = LoadProbeModulesFile(std::string(PHAROS_SOURCE_DIR) + "/fuzz/corpus/probe_config/" + name);
    ASSERT_TRUE(mods.ok()) << name << ": " << mods.status();
    EXPECT_GE(mods->modules.size(), 5u) << name;
  }
}

}  // namespace
}  // namespace pharos::config
