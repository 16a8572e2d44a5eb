#include "config/probe_config.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/paths.h"
#include "config/quote.h"
#include "config/yaml_map.h"
#include "re2/re2.h"

namespace pharos::config {
namespace {

constexpr size_t kMaxModuleFileBytes = 4u << 20;
constexpr size_t kMaxPasswordFileBytes = 64u << 10;

constexpr std::string_view kProbers[] = {"http", "tcp", "dns", "icmp", "grpc", "postgres", "redis", "mongodb"};

absl::Status CheckRegex(const YamlNode& at, const std::string& re) {
  RE2 r(re, RE2::Quiet);
  if (!r.ok()) return at.Error(absl::StrCat("error parsing regexp ", GoQuote(re), ": ", r.error()));
  return absl::OkStatus();
}

// A list of regexes, each checked at its own position.
YamlReadFn IntoRegexList(std::vector<std::string>* out) {
  return [out](const YamlNode& v) -> absl::Status {
    ASSIGN_OR_RETURN(*out, ReadStringList(v));
    ASSIGN_OR_RETURN(auto items, v.Items());
    for (size_t i = 0; i < out->size(); ++i) RETURN_IF_ERROR(CheckRegex(items[i], (*out)[i]));
    return absl::OkStatus();
  };
}

YamlReadFn IntoIpProtocol(std::string* out) {
  return [out](const YamlNode& v) -> absl::Status {
    RETURN_IF_ERROR(Into(out)(v));
    if (*out == "ipv4" || *out == "ip4") {
      *out = "ip4";
    } else if (*out == "ipv6" || *out == "ip6" || out->empty()) {
      *out = "ip6";
    } else {
      return v.Error(absl::StrCat("unknown preferred_ip_protocol ", GoQuote(*out), ": want ip4 or ip6"));
    }
    return absl::OkStatus();
  };
}

// tls_config is read by the HTTP client config's reader (same fields and
// checks); it takes whole entries, so it is routed through the fallback.
YamlUnknownFn TlsFallback(TlsConfig* out) {
  return [out](const YamlEntry& e) -> absl::Status {
    if (e.name() != "tls_config") return absl::NotFoundError("");
    HttpClientConfig tmp;
    LegacyBearer unused;
    RETURN_IF_ERROR(ParseHttpClientField(e, &tmp, &unused));
    *out = std::move(tmp.tls_config);
    return absl::OkStatus();
  };
}

absl::Status ParseHeaderMatches(const YamlNode& v, std::vector<HeaderMatchSpec>* out) {
  if (v.IsScalar() || v.IsMap()) return v.TypeError("[]config.HeaderMatch");
  ASSIGN_OR_RETURN(auto items, v.Items());
  out->clear();
  for (const YamlNode& item : items) {
    HeaderMatchSpec h;
    RETURN_IF_ERROR(ReadMap(item, "config.HeaderMatch",
                            {{"header", Into(&h.header)},
                             {"regexp", Into(&h.regexp)},
                             {"allow_missing", Into(&h.allow_missing)}}));
    if (h.header.empty()) return item.Error("header name must be set for HTTP header matchers");
    if (h.regexp.empty()) return item.Error("regexp must be set for HTTP header matchers");
    RETURN_IF_ERROR(CheckRegex(item, h.regexp));
    out->push_back(std::move(h));
  }
  return absl::OkStatus();
}

absl::Status ParseHttp(const YamlNode& node, HttpProbeConfig* h) {
  LegacyBearer bearer;
  bool no_follow = false;
  auto other = [&](const YamlEntry& e) -> absl::Status {
    if (IsHttpClientKey(e.name())) return ParseHttpClientField(e, &h->http_client, &bearer);
    return absl::NotFoundError("");
  };
  RETURN_IF_ERROR(ReadMap(
      node, "config.HTTPProbe",
      {
          {"valid_status_codes",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]int");
             ASSIGN_OR_RETURN(auto items, v.Items());
             h->valid_status_codes.clear();
             for (const YamlNode& i : items) {
               ASSIGN_OR_RETURN(int64_t code, ReadInt(i));
               if (code < 100 || code > 999) return i.Error(absl::StrCat("invalid status code ", code));
               h->valid_status_codes.push_back(static_cast<int>(code));
             }
             return absl::OkStatus();
           }},
          {"valid_http_versions", Into(&h->valid_http_versions)},
          {"method", Into(&h->method)},
          {"headers", Into(&h->headers)},
          {"body", Into(&h->body)},
          {"body_file", [](const YamlNode& v) { return v.Error("body_file is not supported by pharos yet"); }},
          {"compression",
           [&](const YamlNode& v) -> absl::Status {
             RETURN_IF_ERROR(Into(&h->compression)(v));
             const std::string& c = h->compression;
             if (!c.empty() && c != "gzip" && c != "br" && c != "deflate" && c != "identity") {
               return v.Error(absl::StrCat("invalid compression ", GoQuote(c)));
             }
             return absl::OkStatus();
           }},
          {"body_size_limit", IntoByteSize(&h->body_size_limit)},
          {"no_follow_redirects", Into(&no_follow)},
          {"fail_if_ssl", Into(&h->fail_if_ssl)},
          {"fail_if_not_ssl", Into(&h->fail_if_not_ssl)},
          {"fail_if_body_matches_regexp", IntoRegexList(&h->fail_if_body_matches_regexp)},
          {"fail_if_body_not_matches_regexp", IntoRegexList(&h->fail_if_body_not_matches_regexp)},
          {"fail_if_header_matches",
           [&](const YamlNode& v) { return ParseHeaderMatches(v, &h->fail_if_header_matches); }},
          {"fail_if_header_not_matches",
           [&](const YamlNode& v) { return ParseHeaderMatches(v, &h->fail_if_header_not_matches); }},
          {"preferred_ip_protocol", IntoIpProtocol(&h->preferred_ip_protocol)},
          {"ip_protocol_fallback", Into(&h->ip_protocol_fallback)},
          {"skip_resolve_phase_with_proxy", Into(&h->skip_resolve_phase_with_proxy)},
      },
      other));
  if (no_follow) h->http_client.follow_redirects = false;
  if (h->fail_if_ssl && h->fail_if_not_ssl) {
    return node.Error("fail_if_ssl and fail_if_not_ssl cannot both be true");
  }
  return FinishHttpClientConfig(node, &h->http_client, std::move(bearer));
}

absl::Status ParseTcp(const YamlNode& node, TcpProbeConfig* t) {
  return ReadMap(
      node, "config.TCPProbe",
      {
          {"preferred_ip_protocol", IntoIpProtocol(&t->preferred_ip_protocol)},
          {"ip_protocol_fallback", Into(&t->ip_protocol_fallback)},
          {"source_ip_address", Into(&t->source_ip_address)},
          {"tls", Into(&t->tls)},
          {"query_response",
           [&](const YamlNode& v) -> absl::Status {
             if (v.IsScalar() || v.IsMap()) return v.TypeError("[]config.QueryResponse");
             ASSIGN_OR_RETURN(auto items, v.Items());
             for (const YamlNode& item : items) {
               QueryResponse q;
               std::optional<YamlNode> expect_at;
               RETURN_IF_ERROR(ReadMap(item, "config.QueryResponse",
                                       {{"expect",
                                         [&](const YamlNode& e) {
                                           expect_at = e;
                                           return Into(&q.expect)(e);
                                         }},
                                        {"send", Into(&q.send)},
                                        {"starttls", Into(&q.starttls)}}));
               if (expect_at) RETURN_IF_ERROR(CheckRegex(*expect_at, q.expect));
               t->query_response.push_back(std::move(q));
             }
             return absl::OkStatus();
           }},
      },
      TlsFallback(&t->tls_config));
}

absl::Status ParseRRValidator(const YamlNode& node, DnsRRValidator* r) {
  return ReadMap(node, "config.DNSRRValidator",
                 {{"fail_if_matches_regexp", IntoRegexList(&r->fail_if_matches_regexp)},
                  {"fail_if_all_match_regexp", IntoRegexList(&r->fail_if_all_match_regexp)},
                  {"fail_if_not_matches_regexp", IntoRegexList(&r->fail_if_not_matches_regexp)},
                  {"fail_if_none_matches_regexp", IntoRegexList(&r->fail_if_none_matches_regexp)}});
}

constexpr std::string_view kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
constexpr std::string_view kQueryTypes[] = {"A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "ANY", "CAA"};

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  for (auto x : set) {
    if (x == s) return true;
  }
  return false;
}

template <size_t N>
bool OneOf(std::string_view s, const std::string_view (&set)[N]) {
  for (auto x : set) {
    if (x == s) return true;
  }
  return false;
}

absl::Status ParseDns(const YamlNode& node, DnsProbeConfig* d) {
  std::optional<YamlNode> rcodes_at, type_at, transport_at, tls_at;
  RETURN_IF_ERROR(ReadMap(
      node, "config.DNSProbe",
      {
          {"preferred_ip_protocol", IntoIpProtocol(&d->preferred_ip_protocol)},
          {"ip_protocol_fallback", Into(&d->ip_protocol_fallback)},
          {"source_ip_address", Into(&d->source_ip_address)},
          {"transport_protocol",
           [&](const YamlNode& v) {
             transport_at = v;
             return Into(&d->transport_protocol)(v);
           }},
          {"dns_over_tls",
           [&](const YamlNode& v) {
             tls_at = v;
             return Into(&d->dns_over_tls)(v);
           }},
          {"query_name", Into(&d->query_name)},
          {"query_type",
           [&](const YamlNode& v) {
             type_at = v;
             return Into(&d->query_type)(v);
           }},
          {"query_class", Into(&d->query_class)},
          {"recursion_desired", Into(&d->recursion_desired)},
          {"valid_rcodes",
           [&](const YamlNode& v) {
             rcodes_at = v;
             return Into(&d->valid_rcodes)(v);
           }},
          {"validate_answer_rrs", [&](const YamlNode& v) { return ParseRRValidator(v, &d->validate_answer_rrs); }},
          {"validate_authority_rrs",
           [&](const YamlNode& v) { return ParseRRValidator(v, &d->validate_authority_rrs); }},
          {"validate_additional_rrs",
           [&](const YamlNode& v) { return ParseRRValidator(v, &d->validate_additional_rrs); }},
      },
      TlsFallback(&d->tls_config)));
  if (d->query_name.empty()) return node.Error("query name must be set for DNS module");
  if (d->transport_protocol.empty()) d->transport_protocol = "udp";
  if (d->transport_protocol != "udp" && d->transport_protocol != "tcp") {
    return transport_at->Error(
        absl::StrCat("invalid transport_protocol ", GoQuote(d->transport_protocol), ": want udp or tcp"));
  }
  if (d->dns_over_tls && d->transport_protocol != "tcp") {
    return tls_at->Error("configuring dns_over_tls is only valid with transport_protocol tcp");
  }
  if (d->query_class != "IN" && d->query_class != "CH" && d->query_class != "ANY") {
    return node.Error(absl::StrCat("query class ", GoQuote(d->query_class), " is not valid"));
  }
  if (!OneOf(d->query_type, kQueryTypes)) {
    return type_at->Error(absl::StrCat("query type ", GoQuote(d->query_type), " is not supported by pharos"));
  }
  for (const std::string& rc : d->valid_rcodes) {
    if (!OneOf(rc, kRcodes)) return rcodes_at->Error(absl::StrCat("invalid rcode ", GoQuote(rc)));
  }
  return absl::OkStatus();
}

absl::Status ParseIcmp(const YamlNode& node, IcmpProbeConfig* c) {
  std::optional<YamlNode> ttl_at;
  RETURN_IF_ERROR(ReadMap(node, "config.ICMPProbe",
                          {{"preferred_ip_protocol", IntoIpProtocol(&c->preferred_ip_protocol)},
                           {"ip_protocol_fallback", Into(&c->ip_protocol_fallback)},
                           {"source_ip_address", Into(&c->source_ip_address)},
                           {"dont_fragment", Into(&c->dont_fragment)},
                           {"payload_size", Into(&c->payload_size)},
                           {"ttl",
                            [&](const YamlNode& v) {
                              ttl_at = v;
                              return Into(&c->ttl)(v);
                            }}}));
  if (ttl_at && (c->ttl < 0 || c->ttl > 255)) return ttl_at->Error("\"ttl\" cannot be negative or above 255");
  return absl::OkStatus();
}

absl::Status ParseGrpc(const YamlNode& node, GrpcProbeConfig* g) {
  return ReadMap(node, "config.GRPCProbe",
                 {{"service", Into(&g->service)},
                  {"preferred_ip_protocol", IntoIpProtocol(&g->preferred_ip_protocol)},
                  {"ip_protocol_fallback", Into(&g->ip_protocol_fallback)},
                  {"tls", Into(&g->tls)}},
                 TlsFallback(&g->tls_config));
}

// password / password_file / password_env into a PasswordSource; at most one.
YamlUnknownFn PasswordFallback(PasswordSource* p, const YamlUnknownFn& next) {
  return [p, next](const YamlEntry& e) -> absl::Status {
    std::string* dst = nullptr;
    if (e.name() == "password") dst = &p->password;
    if (e.name() == "password_file") dst = &p->password_file;
    if (e.name() == "password_env") dst = &p->password_env;
    if (dst == nullptr) return next ? next(e) : absl::NotFoundError("");
    RETURN_IF_ERROR(Into(dst)(e.value));
    int n = !p->password.empty() + !p->password_file.empty() + !p->password_env.empty();
    if (n > 1) return e.key.Error("at most one of password, password_file & password_env must be configured");
    return absl::OkStatus();
  };
}

absl::Status ParsePostgres(const YamlNode& node, PostgresProbeConfig* c) {
  std::optional<YamlNode> dsn_at, query_at;
  std::string expected;
  bool has_expected = false;
  RETURN_IF_ERROR(ReadMap(
      node, "config.PostgresProbe",
      {{"dsn",
        [&](const YamlNode& v) {
          dsn_at = v;
          return Into(&c->dsn)(v);
        }},
       {"user", Into(&c->user)},
       {"database", Into(&c->database)},
       {"sslmode",
        [&](const YamlNode& v) -> absl::Status {
          RETURN_IF_ERROR(Into(&c->sslmode)(v));
          if (!OneOf(c->sslmode, {"", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"})) {
            return v.Error(absl::StrCat("invalid sslmode ", GoQuote(c->sslmode)));
          }
          return absl::OkStatus();
        }},
       {"query",
        [&](const YamlNode& v) {
          query_at = v;
          return Into(&c->query)(v);
        }},
       {"expected",
        [&](const YamlNode& v) {
          has_expected = true;
          return Into(&expected)(v);
        }}},
      PasswordFallback(&c->password, nullptr)));
  if (dsn_at) {
    absl::Status s = ValidatePostgresDsn(c->dsn);
    if (!s.ok()) return dsn_at->Error(absl::StrCat("invalid dsn: ", s.message()));
  }
  if (query_at && c->query.empty()) return query_at->Error("query must not be empty");
  if (has_expected) c->expected = expected;
  return absl::OkStatus();
}

absl::Status ParseRedis(const YamlNode& node, RedisProbeConfig* c) {
  std::optional<YamlNode> db_at;
  RETURN_IF_ERROR(ReadMap(
      node, "config.RedisProbe",
      {{"username", Into(&c->username)},
       {"db",
        [&](const YamlNode& v) {
          db_at = v;
          return Into(&c->db)(v);
        }},
       {"tls", Into(&c->tls)},
       {"info_checks",
        [&](const YamlNode& v) -> absl::Status {
          ASSIGN_OR_RETURN(c->info_checks, ReadStringMap(v));
          ASSIGN_OR_RETURN(auto entries, v.Entries());
          for (size_t i = 0; i < entries.size(); ++i) {
            RETURN_IF_ERROR(CheckRegex(entries[i].value, c->info_checks[i].second));
          }
          return absl::OkStatus();
        }}},
      PasswordFallback(&c->password, TlsFallback(&c->tls_config))));
  if (db_at && (c->db < 0 || c->db > 1'000'000)) return db_at->Error("db must be between 0 and 1000000");
  return absl::OkStatus();
}

absl::Status ParseMongodb(const YamlNode& node, MongodbProbeConfig* c) {
  RETURN_IF_ERROR(ReadMap(node, "config.MongodbProbe",
                          {{"username", Into(&c->username)},
                           {"auth_source", Into(&c->auth_source)},
                           {"tls", Into(&c->tls)}},
                          PasswordFallback(&c->password, TlsFallback(&c->tls_config))));
  if (c->auth_source.empty()) c->auth_source = "admin";
  if (!c->password.empty() && c->username.empty()) return node.Error("a password needs a username");
  return absl::OkStatus();
}

absl::StatusOr<ProbeModule> ParseModule(const YamlEntry& entry) {
  ProbeModule m;
  m.name = entry.name();
  m.where = entry.key.Where();
  std::optional<YamlNode> prober_at;
  std::vector<std::pair<std::string, YamlNode>> sections;
  auto section = [&](std::string_view name) -> YamlReadFn {
    return [&, name](const YamlNode& v) {
      sections.emplace_back(std::string(name), v);
      return absl::OkStatus();
    };
  };
  RETURN_IF_ERROR(ReadMap(entry.value, "config.Module",
                          {{"prober",
                            [&](const YamlNode& v) {
                              prober_at = v;
                              return Into(&m.prober)(v);
                            }},
                           {"timeout", IntoDuration(&m.timeout_ms)},
                           {"http", section("http")},
                           {"tcp", section("tcp")},
                           {"dns", section("dns")},
                           {"icmp", section("icmp")},
                           {"grpc", section("grpc")},
                           {"postgres", section("postgres")},
                           {"redis", section("redis")},
                           {"mongodb", section("mongodb")}}));
  if (!prober_at) return entry.key.Error(absl::StrCat("module ", GoQuote(m.name), ": prober must be set"));
  if (!OneOf(m.prober, kProbers)) {
    return prober_at->Error(absl::StrCat("unknown prober ", GoQuote(m.prober), ": want one of ",
                                         "http, tcp, dns, icmp, grpc, postgres, redis, mongodb"));
  }
  bool dns_seen = false;
  for (const auto& [name, v] : sections) {
    if (name == "http") RETURN_IF_ERROR(ParseHttp(v, &m.http));
    if (name == "tcp") RETURN_IF_ERROR(ParseTcp(v, &m.tcp));
    if (name == "dns") {
      RETURN_IF_ERROR(ParseDns(v, &m.dns));
      dns_seen = true;
    }
    if (name == "icmp") RETURN_IF_ERROR(ParseIcmp(v, &m.icmp));
    if (name == "grpc") RETURN_IF_ERROR(ParseGrpc(v, &m.grpc));
    if (name == "postgres") RETURN_IF_ERROR(ParsePostgres(v, &m.postgres));
    if (name == "redis") RETURN_IF_ERROR(ParseRedis(v, &m.redis));
    if (name == "mongodb") RETURN_IF_ERROR(ParseMongodb(v, &m.mongodb));
  }
  if (m.prober == "dns" && !dns_seen) {
    return entry.key.Error(absl::StrCat("module ", GoQuote(m.name), ": query name must be set for DNS module"));
  }
  return m;
}

absl::StatusOr<ProbeModules> ParseModulesMap(const YamlNode& node) {
  ProbeModules out;
  if (!node.IsNull() && !node.IsMap()) return node.TypeError("map[string]config.Module");
  ASSIGN_OR_RETURN(auto entries, node.Entries());
  for (const YamlEntry& e : entries) {
    ASSIGN_OR_RETURN(ProbeModule m, ParseModule(e));
    out.modules.emplace(m.name, std::move(m));
  }
  return out;
}

void ResolveTls(const std::string& dir, TlsConfig* t) {
  t->ca_file = JoinDir(dir, t->ca_file);
  t->cert_file = JoinDir(dir, t->cert_file);
  t->key_file = JoinDir(dir, t->key_file);
}

}  // namespace

void ResolveProbeModulePaths(const std::string& dir, ProbeModules* mods) {
  for (auto& [name, m] : mods->modules) {
    ResolveHttpClientPaths(dir, &m.http.http_client);
    ResolveTls(dir, &m.tcp.tls_config);
    ResolveTls(dir, &m.dns.tls_config);
    ResolveTls(dir, &m.redis.tls_config);
    ResolveTls(dir, &m.mongodb.tls_config);
    for (PasswordSource* p : {&m.postgres.password, &m.redis.password, &m.mongodb.password}) {
      p->password_file = JoinDir(dir, p->password_file);
    }
  }
}

namespace {

std::string Secret(const std::string& s) { return s.empty() ? "" : "<secret>"; }

}  // namespace

std::string ProbeModule::Unsupported() const {
  if (prober == "icmp") {
    return "prober icmp is not supported by pharos (it needs raw sockets); use a tcp or http module";
  }
  if (prober == "grpc") return "prober grpc is not supported by pharos yet";
  if (prober == "dns" && dns.transport_protocol != "udp") {
    return "dns over tcp is not supported by pharos yet (transport_protocol: udp)";
  }
  if (prober == "http" && !http.compression.empty() && http.compression != "identity" &&
      http.compression != "gzip" && http.compression != "deflate") {
    return absl::StrCat("http compression ", http.compression, " is not supported by pharos");
  }
  return "";
}

const ProbeModule* ProbeModules::Find(std::string_view name) const {
  auto it = modules.find(std::string(name));
  return it == modules.end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> ResolvePassword(const PasswordSource& p) {
  if (!p.password_env.empty()) {
    const char* v = std::getenv(p.password_env.c_str());
    if (v == nullptr) return absl::NotFoundError(absl::StrCat("environment variable ", p.password_env, " is not set"));
    return std::string(v);
  }
  if (!p.password_file.empty()) {
    ASSIGN_OR_RETURN(std::string s, ReadBoundedFile(p.password_file, kMaxPasswordFileBytes, "password file"));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  return p.password;
}

absl::StatusOr<ProbeModules> ParseProbeModules(const YamlNode& node) {
  ProbeModules out;
  RETURN_IF_ERROR(ReadMap(node, "config.Config", {{"modules", IntoParsed(&out, ParseModulesMap)}}));
  return out;
}

absl::StatusOr<ProbeModules> LoadProbeModulesString(std::string_view yaml, std::string_view filename) {
  YamlLimits limits;
  limits.max_document_bytes = kMaxModuleFileBytes;
  ASSIGN_OR_RETURN(YamlDocument doc, YamlDocument::Parse(yaml, filename, limits));
  return ParseProbeModules(doc.root());
}

absl::StatusOr<ProbeModules> LoadProbeModulesFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, ReadBoundedFile(path, kMaxModuleFileBytes, "probe module file"));
  ASSIGN_OR_RETURN(ProbeModules mods, LoadProbeModulesString(content, path));
  ResolveProbeModulePaths(DirName(path), &mods);
  return mods;
}

absl::StatusOr<ProbesConfig> ParseProbesConfig(const YamlNode& node) {
  ProbesConfig p;
  RETURN_IF_ERROR(ReadMap(
      node, "probes",
      {{"modules", IntoParsed(&p.modules, ParseModulesMap)},
       {"targets",
        [&](const YamlNode& v) -> absl::Status {
          if (v.IsScalar() || v.IsMap()) return v.TypeError("[]probes.Target");
          ASSIGN_OR_RETURN(auto items, v.Items());
          for (const YamlNode& item : items) {
            ProbeTarget t;
            t.where = item.Where();
            std::optional<YamlNode> interval_at;
            RETURN_IF_ERROR(ReadMap(item, "probes.Target",
                                    {{"name", Into(&t.name)},
                                     {"module", Into(&t.module)},
                                     {"target", Into(&t.target)},
                                     {"interval",
                                      [&](const YamlNode& iv) {
                                        interval_at = iv;
                                        return IntoDuration(&t.interval_ms)(iv);
                                      }},
                                     {"critical", Into(&t.critical)}}));
            if (t.name.empty()) return item.Error("probe target: name must be set");
            if (t.module.empty()) return item.Error(absl::StrCat("probe target ", GoQuote(t.name), ": module must be set"));
            if (t.target.empty()) return item.Error(absl::StrCat("probe target ", GoQuote(t.name), ": target must be set"));
            if (interval_at && t.interval_ms <= 0) return interval_at->Error("interval must be positive");
            for (const ProbeTarget& other : p.targets) {
              if (other.name == t.name) {
                return item.Error(absl::StrCat("probe target name ", GoQuote(t.name), " already used at ", other.where));
              }
            }
            if (const ProbeModule* m = p.modules.Find(t.module); m != nullptr && !m->Unsupported().empty()) {
              return item.Error(absl::StrCat("probe target ", GoQuote(t.name), ": module ", GoQuote(t.module), ": ",
                                             m->Unsupported()));
            }
            p.targets.push_back(std::move(t));
          }
          return absl::OkStatus();
        }}}));
  return p;
}

const ProbeModule* FindProbeModule(const ProbesConfig& probes, const ProbeModules& file_modules,
                                   std::string_view name) {
  if (const ProbeModule* m = probes.modules.Find(name)) return m;
  return file_modules.Find(name);
}

absl::Status CheckProbeTargets(const ProbesConfig& probes, const ProbeModules& file_modules) {
  for (const ProbeTarget& t : probes.targets) {
    const ProbeModule* m = FindProbeModule(probes, file_modules, t.module);
    if (m == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(t.where, ": probe target ", GoQuote(t.name), ": unknown module ", GoQuote(t.module)));
    }
    if (std::string why = m->Unsupported(); !why.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(t.where, ": probe target ", GoQuote(t.name), ": module ",
                                                     GoQuote(t.module), ": ", why));
    }
  }
  return absl::OkStatus();
}

std::string DescribeModule(const ProbeModule& m) {
  std::string out = absl::StrCat("prober: ", m.prober, "\n");
  if (m.timeout_ms > 0) absl::StrAppend(&out, "timeout: ", m.timeout_ms, "ms\n");
  auto tls = [&](const TlsConfig& t) {
    if (t.IsZero()) return;
    absl::StrAppend(&out, "  tls_config:\n");
    if (!t.ca_file.empty()) absl::StrAppend(&out, "    ca_file: ", t.ca_file, "\n");
    if (!t.cert_file.empty()) absl::StrAppend(&out, "    cert_file: ", t.cert_file, "\n");
    if (!t.key.empty()) absl::StrAppend(&out, "    key: <secret>\n");
    if (!t.key_file.empty()) absl::StrAppend(&out, "    key_file: ", t.key_file, "\n");
    if (!t.server_name.empty()) absl::StrAppend(&out, "    server_name: ", t.server_name, "\n");
    absl::StrAppend(&out, "    insecure_skip_verify: ", t.insecure_skip_verify ? "true" : "false", "\n");
  };
  auto password = [&](const PasswordSource& p) {
    if (!p.password.empty()) absl::StrAppend(&out, "  password: <secret>\n");
    if (!p.password_file.empty()) absl::StrAppend(&out, "  password_file: ", p.password_file, "\n");
    if (!p.password_env.empty()) absl::StrAppend(&out, "  password_env: ", p.password_env, "\n");
  };
  if (m.prober == "http") {
    const HttpProbeConfig& h = m.http;
    absl::StrAppend(&out, "http:\n  method: ", h.method, "\n  preferred_ip_protocol: ", h.preferred_ip_protocol,
                    "\n  ip_protocol_fallback: ", h.ip_protocol_fallback ? "true" : "false",
                    "\n  follow_redirects: ", h.http_client.follow_redirects ? "true" : "false", "\n");
    if (!h.valid_status_codes.empty()) {
      absl::StrAppend(&out, "  valid_status_codes: [", absl::StrJoin(h.valid_status_codes, ", "), "]\n");
    }
    for (const auto& [k, v] : h.headers) {
      // Headers that usually carry credentials are hidden too.
      std::string lower = absl::AsciiStrToLower(k);
      bool secret = false;
      for (std::string_view word : {"auth", "token", "key", "cookie", "secret", "password"}) {
        secret = secret || absl::StrContains(lower, AV(word));
      }
      absl::StrAppend(&out, "  header ", k, ": ", secret ? "<secret>" : v, "\n");
    }
    if (h.http_client.basic_auth) {
      absl::StrAppend(&out, "  basic_auth:\n    username: ", h.http_client.basic_auth->username,
                      "\n    password: ", Secret(h.http_client.basic_auth->password), "\n");
    }
    if (h.http_client.authorization) {
      absl::StrAppend(&out, "  authorization:\n    type: ", h.http_client.authorization->type,
                      "\n    credentials: ", Secret(h.http_client.authorization->credentials), "\n");
    }
    for (const auto& r : h.fail_if_body_matches_regexp) absl::StrAppend(&out, "  fail_if_body_matches_regexp: ", r, "\n");
    for (const auto& r : h.fail_if_body_not_matches_regexp) {
      absl::StrAppend(&out, "  fail_if_body_not_matches_regexp: ", r, "\n");
    }
    tls(h.http_client.tls_config);
  } else if (m.prober == "tcp") {
    absl::StrAppend(&out, "tcp:\n  preferred_ip_protocol: ", m.tcp.preferred_ip_protocol,
                    "\n  tls: ", m.tcp.tls ? "true" : "false", "\n");
    for (const auto& q : m.tcp.query_response) {
      absl::StrAppend(&out, "  - expect: ", q.expect, "\n    send: ", q.send, "\n");
    }
    tls(m.tcp.tls_config);
  } else if (m.prober == "dns") {
    absl::StrAppend(&out, "dns:\n  query_name: ", m.dns.query_name, "\n  query_type: ", m.dns.query_type,
                    "\n  valid_rcodes: [", absl::StrJoin(m.dns.valid_rcodes, ", "), "]\n");
  } else if (m.prober == "postgres") {
    const PostgresProbeConfig& p = m.postgres;
    absl::StrAppend(&out, "postgres:\n");
    if (!p.dsn.empty()) absl::StrAppend(&out, "  dsn: ", RedactDsn(p.dsn), "\n");
    if (!p.user.empty()) absl::StrAppend(&out, "  user: ", p.user, "\n");
    if (!p.database.empty()) absl::StrAppend(&out, "  database: ", p.database, "\n");
    password(p.password);
    absl::StrAppend(&out, "  query: ", p.query, "\n");
    if (p.expected) absl::StrAppend(&out, "  expected: ", *p.expected, "\n");
  } else if (m.prober == "redis") {
    absl::StrAppend(&out, "redis:\n  username: ", m.redis.username, "\n  db: ", m.redis.db,
                    "\n  tls: ", m.redis.tls ? "true" : "false", "\n");
    password(m.redis.password);
    for (const auto& [k, v] : m.redis.info_checks) absl::StrAppend(&out, "  info_check ", k, ": ", v, "\n");
  } else if (m.prober == "mongodb") {
    absl::StrAppend(&out, "mongodb:\n  username: ", m.mongodb.username, "\n  auth_source: ", m.mongodb.auth_source,
                    "\n");
    password(m.mongodb.password);
  }
  return out;
}

// --- libpq connection strings -------------------------------------------

namespace {

constexpr std::string_view kPqKeywords[] = {
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding",
    "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
    "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey",
    "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
    "ssl_max_protocol_version", "krbsrvname", "gsslib", "service", "target_session_attrs"};

constexpr size_t kMaxDsnBytes = 8192;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// One "keyword = value" pair of a keyword/value string. Returns the end of
// the pair; `value_begin`/`value_end` delimit the raw value.
struct KvPair {
  std::string key;
  size_t value_begin = 0;
  size_t value_end = 0;
};

absl::StatusOr<std::vector<KvPair>> SplitKeywordValue(std::string_view s) {
  std::vector<KvPair> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size()) break;
    size_t k = i;
    while (i < s.size() && !IsSpace(s[i]) && s[i] != '=') ++i;
    KvPair p;
    p.key = std::string(s.substr(k, i - k));
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size() || s[i] != '=') {
      return absl::InvalidArgumentError(absl::StrCat("missing \"=\" after \"", p.key, "\" at byte ", i));
    }
    ++i;
    while (i < s.size() && IsSpace(s[i])) ++i;
    p.value_begin = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\') {
          i += 2;
          continue;
        }
        if (s[i] == '\'') {
          closed = true;
          ++i;
          break;
        }
        ++i;
      }
      if (!closed) return absl::InvalidArgumentError(absl::StrCat("unterminated quoted value for \"", p.key, "\""));
    } else {
      while (i < s.size() && !IsSpace(s[i])) {
        i += (s[i] == '\\') ? 2 : 1;
      }
      if (i > s.size()) i = s.size();
    }
    p.value_end = i;
    out.push_back(std::move(p));
  }
  return out;
}

bool IsUri(std::string_view s) { return s.starts_with("postgresql://") || s.starts_with("postgres://"); }

bool KnownKeyword(std::string_view k) {
  for (auto x : kPqKeywords) {
    if (x == k) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidatePostgresDsn(std::string_view dsn) {
  if (dsn.size() > kMaxDsnBytes) return absl::InvalidArgumentError("longer than 8192 bytes");
  if (IsUri(dsn)) {
    std::string_view rest = dsn.substr(dsn.find("://") + 3);
    size_t q = rest.find('?');
    std::string_view params = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
    std::string_view authority = rest.substr(0, std::min(rest.find('/'), q));
    size_t at = authority.rfind('@');
    std::string_view hosts = at == std::string_view::npos ? authority : authority.substr(at + 1);
    size_t start = 0;
    while (start <= hosts.size()) {
      size_t comma = hosts.find(',', start);
      std::string_view h = hosts.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      size_t colon = h.starts_with("[") ? h.find("]:") : h.rfind(':');
      if (colon != std::string_view::npos && h.starts_with("[")) ++colon;
      if (colon != std::string_view::npos && !h.empty() && !(h.starts_with("[") && h.back() == ']')) {
        std::string_view port = h.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            port.find_first_not_of("0123456789") != std::string_view::npos) {
          return absl::InvalidArgumentError(absl::StrCat("invalid port \"", AV(port), "\" in URI"));
        }
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    while (!params.empty()) {
      size_t amp = params.find('&');
      std::string_view kv = params.substr(0, amp);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("missing \"=\" in URI parameter \"", AV(kv), "\""));
      }
      std::string_view k = kv.substr(0, eq);
      if (!KnownKeyword(k)) return absl::InvalidArgumentError(absl::StrCat("invalid URI query parameter \"", AV(k), "\""));
      if (amp == std::string_view::npos) break;
      params = params.substr(amp + 1);
    }
    return absl::OkStatus();
  }
  if (dsn.find("://") != std::string_view::npos) {
    return absl::InvalidArgumentError("a URI must start with postgresql:// or postgres://");
  }
  ASSIGN_OR_RETURN(auto pairs, SplitKeywordValue(dsn));
  for (const KvPair& p : pairs) {
    if (!KnownKeyword(p.key)) return absl::InvalidArgumentError(absl::StrCat("invalid connection option \"", p.key, "\""));
  }
  return absl::OkStatus();
}

std::string RedactDsn(std::string_view dsn) {
  if (IsUri(dsn)) {
    std::string out(dsn);
    size_t scheme = out.find("://") + 3;
    size_t end = std::min(out.find('/', scheme), out.find('?', scheme));
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at > scheme) {
      size_t colon = out.find(':', scheme);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "<secret>");
    }
    size_t p = out.find("password=");
    if (p != std::string::npos) {
      size_t e = out.find('&', p);
      out.replace(p + 9, (e == std::string::npos ? out.size() : e) - p - 9, "<secret>");
    }
    return out;
  }
  auto pairs = SplitKeywordValue(dsn);
  if (!pairs.ok()) return "<invalid dsn>";
  std::string out;
  for (const KvPair& p : *pairs) {
    if (!out.empty()) out += ' ';
    absl::StrAppend(&out, p.key, "=",
                    p.key == "password" ? std::string("<secret>")
                                        : std::string(dsn.substr(p.value_begin, p.value_end - p.value_begin)));
  }
  return out;
}

}  // namespace pharos::config
