#include "app/server.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/api.h"
#include "app/alert_sender.h"
#include "app/builtin_alertmanager.h"
#include "notifier/relabel_alerts.h"
#include "app/rules_provider.h"
#include "app/scrape_metadata.h"
#include "app/scrape_targets.h"
#include "app/storage_backend.h"
#include "app/web_assets.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/metrics/process_collector.h"
#include "common/metrics/registry.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/config.h"
#include "disk/env.h"
#include "http/listen_address.h"
#include "http/server.h"
#include "config/probe_config.h"
#include "probe/handler.h"
#include "probe/scheduler.h"
#include "promql/engine.h"
#include "rules/manager.h"
#include "scrape/manager.h"

namespace pharos::app {

std::string DefaultConfigYaml(const std::string& self_target) {
  return absl::StrCat(
      "# The configuration pharos runs without --config.file: it watches itself.\n"
      "global:\n"
      "  scrape_interval: 15s\n"
      "  evaluation_interval: 15s\n"
      "scrape_configs:\n"
      "  - job_name: pharos\n"
      "    static_configs:\n"
      "      - targets: ['",
      self_target, "']\n");
}

std::string SelfTarget(const std::string& listen_address, int port) {
  std::string host;
  auto colon = listen_address.rfind(':');
  if (colon != std::string::npos) host = listen_address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host == "::" || host.empty()) return absl::StrCat("127.0.0.1:", port);
    return absl::StrCat("[", host, "]:", port);
  }
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  return absl::StrCat(host, ":", port);
}

struct Server::State {
  Flags flags;
  absl::Time start_time = absl::Now();

  metrics::Registry registry;
  std::unique_ptr<StorageBackend> storage;
  std::unique_ptr<scrape::Manager> scrape;
  std::unique_ptr<ScrapeTargets> targets;
  std::unique_ptr<ScrapeMetadata> metadata;
  std::unique_ptr<promql::Engine> engine;
  std::shared_ptr<probe::ModuleSet> probe_modules = std::make_shared<probe::ModuleSet>();
  std::unique_ptr<probe::Scheduler> probes;
  std::unique_ptr<AlertSender> alert_sender;  // before rules: the rule manager's NotifyFunc points here
  std::unique_ptr<rules::Manager> rules;
  std::unique_ptr<ManagerRulesProvider> rules_provider;
  std::unique_ptr<am::Alertmanager> alertmanager;  // the built-in one
  std::unique_ptr<api::Api> api;
  std::unique_ptr<http::Server> http;
  std::unique_ptr<api::HealthProvider> health;

  std::mutex reload_mu;  // serialises reloads
  mutable std::mutex cfg_mu;
  std::shared_ptr<const config::Config> config;  // guarded by cfg_mu
  bool last_reload_ok = false;                   // guarded by cfg_mu
  absl::Time last_reload_time;                   // guarded by cfg_mu
  std::string self_target;
  std::atomic<bool> ready{false};

  metrics::Gauge* reload_success = nullptr;
  metrics::Gauge* reload_time = nullptr;
  metrics::Counter* reload_failures = nullptr;

  struct Loaded {
    config::Config cfg;
    config::ProbeModules probe_modules;  // from --probes.config.file
    // The built-in Alertmanager's; empty once the Alertmanager runs it (at
    // start-up it is opened with it before the rest is applied).
    std::optional<am::Config> am_cfg;
  };

  // The configuration and the probe module file, checked together: a
  // probe target naming a module that exists in neither is an error.
  // `with_am`: also the built-in Alertmanager's configuration.
  absl::StatusOr<Loaded> LoadConfig(bool with_am = true) const {
    Loaded l;
    if (flags.config_file.empty()) {
      ASSIGN_OR_RETURN(l.cfg, config::LoadString(DefaultConfigYaml(self_target), "<embedded default>"));
    } else {
      ASSIGN_OR_RETURN(l.cfg, config::LoadFile(flags.config_file));
    }
    if (!flags.probes_config_file.empty()) {
      ASSIGN_OR_RETURN(l.probe_modules, config::LoadProbeModulesFile(flags.probes_config_file));
    }
    RETURN_IF_ERROR(config::CheckProbeTargets(l.cfg.probes, l.probe_modules));
    if (with_am) {
      ASSIGN_OR_RETURN(l.am_cfg, LoadBuiltinAmConfig(flags, &l.cfg));
    }
    return l;
  }

  // Applies a loaded configuration to every component.
  absl::Status Apply(Loaded& l) {
    // Rule files first: they are the part that can still fail (a file with
    // an error refuses the whole configuration, and nothing changes).
    if (rules) RETURN_IF_ERROR(rules->Update(l.cfg.rule_files, l.cfg.global.evaluation_interval_ms));
    if (alert_sender) alert_sender->Apply(l.cfg);
    if (alertmanager && l.am_cfg) RETURN_IF_ERROR(alertmanager->ApplyConfig(std::move(*l.am_cfg)));
    probe_modules->Update(l.probe_modules, l.cfg.probes.modules);
    if (probes) RETURN_IF_ERROR(probes->Apply(l.cfg.probes, l.probe_modules));
    if (scrape) scrape->ApplyConfig(l.cfg);
    return absl::OkStatus();
  }

  std::shared_ptr<const config::Config> Config() const {
    std::lock_guard<std::mutex> l(cfg_mu);
    return config;
  }
};

namespace {

class ServerHealth final : public api::HealthProvider {
 public:
  ServerHealth(StorageBackend* storage, scrape::Manager* scrape, probe::Scheduler* probes)
      : storage_(storage), scrape_(scrape), probes_(probes) {}
  std::vector<api::ComponentHealth> CheckHealth() override {
    std::vector<api::ComponentHealth> out;
    absl::Status st = storage_->Health();
    out.push_back({"storage", st.ok() ? api::ComponentState::kHealthy : api::ComponentState::kUnhealthy,
                   std::string(SV(st.message()))});
    absl::Status wal = storage_->WalHealth();
    out.push_back({"wal", wal.ok() ? api::ComponentState::kHealthy : api::ComponentState::kUnhealthy,
                   std::string(SV(wal.message()))});
    out.push_back({"scraping", api::ComponentState::kHealthy, ""});
    (void)scrape_;
    for (const auto& h : probes_->Health()) {
      api::ComponentHealth c;
      c.name = h.name;
      c.state = h.healthy ? api::ComponentState::kHealthy : api::ComponentState::kUnhealthy;
      c.reason = h.reason;
      c.critical = h.critical;
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  StorageBackend* storage_;
  scrape::Manager* scrape_;
  probe::Scheduler* probes_;
};

std::string_view ContentTypeOf(std::string_view path) {
  auto ends = [&](std::string_view s) { return path.size() >= s.size() && path.substr(path.size() - s.size()) == s; };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void RegisterWebUi(http::Router& router) {
  const WebAsset* index = nullptr;
  for (const auto& a : WebAssets()) {
    if (a.path == "index.html") index = &a;
    std::string_view ct = a.content_type.empty() ? ContentTypeOf(a.path) : a.content_type;
    std::string body(a.data);
    std::string type(ct);
    router.Get(absl::StrCat("/static/", AV(a.path)), [body, type](http::Request&, http::Response& res) {
      res.headers.emplace_back("Content-Type", type);
      res.headers.emplace_back("Cache-Control", "no-cache");
      res.body = body;
    }, {.metric_name = "/static"});
  }
  if (index == nullptr) return;
  std::string page(index->data);
  for (const char* path : {"/", "/graph", "/query", "/targets"}) {
    router.Get(path, [page](http::Request&, http::Response& res) {
      res.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      res.body = page;
    }, {.metric_name = "/"});
  }
}

int64_t CountThreads() {
  auto tasks = disk::PosixEnv()->ListDir("/proc/self/task");
  return tasks.ok() ? static_cast<int64_t>(tasks->size()) : 0;
}

// Prometheus' and Alertmanager's default --web.external-url: this host's
// name and the port listened on.
std::string DefaultExternalUrl(const std::string& listen_address) {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  std::string port = "9090";
  if (auto colon = listen_address.rfind(':'); colon != std::string::npos) port = listen_address.substr(colon + 1);
  return absl::StrCat("http://", host, ":", port);
}

std::map<std::string, std::string> FlagMap(const Flags& f) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : f.all) m[k] = v;
  return m;
}

}  // namespace

Server::Server(Flags flags) : s_(std::make_unique<State>()) { s_->flags = std::move(flags); }

Server::~Server() { Stop(); }

int Server::port() const { return s_->http ? s_->http->port() : 0; }

absl::Status Server::Start() {
  State& s = *s_;
  metrics::RegisterProcessCollector(&s.registry);
  s.reload_success = s.registry.NewGauge("prometheus_config_last_reload_successful",
                                         "Whether the last configuration reload attempt was successful.");
  s.reload_time = s.registry.NewGauge("prometheus_config_last_reload_success_timestamp_seconds",
                                      "Timestamp of the last successful configuration reload.");
  s.reload_failures = s.registry.NewCounter("pharos_config_reload_failures_total",
                                            "Configuration reloads refused because the file was invalid.");

  // The HTTP server binds first: the embedded default scrapes this server,
  // at the port it really got.
  http::ServerOptions so;
  so.listen_address = s.flags.listen_address;
  so.registry = &s.registry;
  so.max_connections = static_cast<size_t>(s.flags.max_connections);
  so.max_body_bytes = static_cast<size_t>(s.flags.max_body_bytes);
  so.read_timeout = absl::Milliseconds(s.flags.read_timeout_ms);
  s.http = std::make_unique<http::Server>(so);

  // Config before anything is opened: a bad file stops the start.
  // (Its self target needs the port, so the embedded default is loaded
  // after the bind, below; a file is checked now.)
  std::optional<State::Loaded> cfg;
  if (!s.flags.config_file.empty()) {
    auto c = s.LoadConfig();
    if (!c.ok()) return absl::InvalidArgumentError(absl::StrCat("loading configuration: ", c.status().message()));
    cfg = std::move(*c);
  }

  StorageOptions sto;
  sto.path = s.flags.tsdb_path;
  sto.retention_ms = s.flags.retention_ms;
  sto.retention_bytes = s.flags.retention_bytes;
  sto.fsync = s.flags.wal_fsync;
  sto.fsync_interval_ms = s.flags.wal_fsync_interval_ms;
  if (cfg && cfg->cfg.storage.tsdb) sto.out_of_order_window_ms = cfg->cfg.storage.tsdb->out_of_order_time_window_ms;
  ASSIGN_OR_RETURN(s.storage, OpenStorage(sto, &s.registry));

  s.scrape = std::make_unique<scrape::Manager>(s.storage->appendable());
  s.registry.AddCollector([st = &s](std::vector<metrics::FamilySnapshot>* out) {
    if (!st->scrape) return;
    metrics::FamilySnapshot active{"pharos_scrape_pool_targets", "Active targets of each scrape pool.",
                                   metrics::MetricType::kGauge, {}};
    metrics::FamilySnapshot dropped{"pharos_scrape_pool_dropped_targets",
                                    "Targets of each scrape pool dropped by relabeling.",
                                    metrics::MetricType::kGauge, {}};
    for (const auto& pool : st->scrape->Pools()) {
      metrics::MetricSnapshot m;
      m.labels = {{"scrape_pool", pool->name()}};
      m.value = static_cast<double>(pool->NumTargets());
      active.metrics.push_back(m);
      m.value = static_cast<double>(pool->NumDroppedTargets());
      dropped.metrics.push_back(std::move(m));
    }
    out->push_back(std::move(active));
    out->push_back(std::move(dropped));
  });
  s.targets = std::make_unique<ScrapeTargets>(s.scrape.get());
  s.metadata = std::make_unique<ScrapeMetadata>(s.scrape.get());
  s.probes = std::make_unique<probe::Scheduler>(s.storage->appendable());
  s.health = std::make_unique<ServerHealth>(s.storage.get(), s.scrape.get(), s.probes.get());

  api::ApiOptions ao;
  ao.app_name = "Pharos";
  ao.enable_lifecycle = s.flags.enable_lifecycle;
  ao.enable_admin_api = s.flags.enable_admin_api;
  ao.global_url.listen_address = s.flags.listen_address;
  ao.query_max_concurrency = s.flags.query_max_concurrency;
  promql::EngineOptions eo;
  eo.lookback_delta_ms = s.flags.lookback_delta_ms;
  eo.max_samples = s.flags.query_max_samples;
  eo.timeout = absl::Milliseconds(s.flags.query_timeout_ms);
  s.engine = std::make_unique<promql::Engine>(eo);
  {
    rules::ManagerOptions ro;
    ro.queryable = s.storage->queryable();
    ro.appendable = s.storage->appendable();
    ro.engine = s.engine.get();
    if (cfg) {
      for (const auto& l : cfg->cfg.global.external_labels) ro.external_labels[std::string(l.name)] = std::string(l.value);
    }
    ro.external_url = s.flags.external_url;
    ro.outage_tolerance_ms = s.flags.for_outage_tolerance_ms;
    ro.grace_period_ms = s.flags.for_grace_period_ms;
    ro.resend_delay_ms = s.flags.resend_delay_ms;
    s.alert_sender = std::make_unique<AlertSender>(s.flags, &s.registry);
    {
      // The built-in Alertmanager opens before the rules can fire.
      absl::StatusOr<am::Config> amc =
          cfg ? std::move(*cfg->am_cfg) : LoadBuiltinAmConfig(s.flags, nullptr);
      if (cfg) cfg->am_cfg.reset();
      if (!amc.ok()) return absl::InvalidArgumentError(absl::StrCat("loading alertmanager configuration: ", amc.status().message()));
      Flags af = s.flags;
      if (af.external_url.empty()) af.external_url = DefaultExternalUrl(s.flags.listen_address);
      ASSIGN_OR_RETURN(s.alertmanager, OpenBuiltinAlertmanager(af, std::move(*amc), &s.registry));
    }
    ro.notify = [st = &s, external = s.alert_sender->NotifyFunc()](const std::vector<rules::NotifierAlert>& alerts) {
      external(alerts);
      if (!st->alertmanager) return;
      // As to any Alertmanager: external labels added, then the global
      // alert_relabel_configs.
      // Before the first configuration is in place (the rules' very first
      // evaluation at startup) the external labels are not known yet: those
      // alerts wait for the next send, as Prometheus' alerts wait for an
      // Alertmanager to be discovered.
      auto cfg = st->Config();
      if (!cfg) return;
      std::vector<rules::NotifierAlert> out =
          notifier::RelabelAlerts(cfg->alerting.alert_relabel_configs, cfg->global.external_labels, alerts);
      absl::Status put = st->alertmanager->PutAlerts(ToAmAlerts(out));
      if (!put.ok()) log::Warn("rules", "the built-in Alertmanager refused alerts", {{"err", std::string(SV(put.message()))}});
    };
    s.rules = std::make_unique<rules::Manager>(std::move(ro));
    s.rules_provider = std::make_unique<ManagerRulesProvider>(s.rules.get());
  }
  api::ApiDeps deps;
  deps.queryable = s.storage->queryable();
  deps.engine = s.engine.get();
  deps.rules = s.rules_provider.get();
  deps.alertmanagers = [st = &s] { return st->alert_sender->Urls(); };
  deps.alertmanager = s.alertmanager.get();
  deps.appendable = s.storage->appendable();
  deps.registry = &s.registry;
  deps.targets = s.targets.get();
  deps.metadata = s.metadata.get();
  deps.health = s.health.get();
  deps.build_info = api::BuildInfo{PHAROS_VERSION, "", "", "", "", absl::StrCat("gcc ", __VERSION__)};
  deps.flags = FlagMap(s.flags);
  deps.config_yaml = [st = &s] {
    auto c = st->Config();
    return c ? config::DumpYaml(*c) : std::string();
  };
  deps.runtime_info = [st = &s] {
    api::RuntimeInfo r;
    r.start_time = st->start_time;
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf) != nullptr) r.cwd = buf;
    {
      std::lock_guard<std::mutex> l(st->cfg_mu);
      r.reload_config_success = st->last_reload_ok;
      r.last_config_time = st->last_reload_time;
    }
    r.corruption_count = st->storage->CorruptionCount();
    r.goroutine_count = CountThreads();
    r.gomaxprocs = static_cast<int64_t>(std::thread::hardware_concurrency());
    r.gogc = "";
    std::string ret;
    if (st->flags.retention_ms > 0) ret = FormatDurationMs(st->flags.retention_ms);
    if (st->flags.retention_bytes > 0) {
      absl::StrAppend(&ret, ret.empty() ? "" : " or ", st->flags.retention_bytes, "B");
    }
    r.storage_retention = ret;
    return r;
  };
  deps.ready = [st = &s] { return st->ready.load(); };
  deps.reload = [this] { return Reload(); };
  deps.compact = [st = &s] { return st->storage->CompactHead(); };
  s.api = std::make_unique<api::Api>(ao, std::move(deps));
  s.api->Register(s.http->router());
  RegisterWebUi(s.http->router());
  s.http->router().Get("/probe", probe::ProbeHandler(s.probe_modules));

  RETURN_IF_ERROR(s.http->Start());
  s.self_target = SelfTarget(s.flags.listen_address, s.http->port());
  if (!cfg) {
    // The built-in Alertmanager already runs its configuration (opened above).
    auto c = s.LoadConfig(/*with_am=*/false);
    if (!c.ok()) return c.status();
    cfg = std::move(*c);
  }
  RETURN_IF_ERROR(s.Apply(*cfg));
  auto shared = std::make_shared<const config::Config>(std::move(cfg->cfg));
  {
    std::lock_guard<std::mutex> l(s.cfg_mu);
    s.config = shared;
    s.last_reload_ok = true;
    s.last_reload_time = absl::Now();
  }
  s.reload_success->Set(1);
  s.reload_time->Set(absl::ToDoubleSeconds(s.last_reload_time - absl::UnixEpoch()));
  s.ready = true;
  log::Info("main", "server is ready to receive web requests",
            {{"address", s.flags.listen_address}, {"port", absl::StrCat(s.http->port())},
             {"config", s.flags.config_file.empty() ? "<embedded default>" : s.flags.config_file}});
  return absl::OkStatus();
}

absl::Status Server::Reload() {
  State& s = *s_;
  std::lock_guard<std::mutex> rl(s.reload_mu);
  auto c = s.LoadConfig();
  if (!c.ok()) {
    log::Error("main", "configuration reload refused; the running configuration stays",
               {{"err", std::string(SV(c.status().message()))}});
    {
      std::lock_guard<std::mutex> l(s.cfg_mu);
      s.last_reload_ok = false;
    }
    s.reload_success->Set(0);
    s.reload_failures->Inc();
    return absl::InvalidArgumentError(absl::StrCat("error loading config: ", c.status().message()));
  }
  if (absl::Status st = s.Apply(*c); !st.ok()) {
    log::Error("main", "configuration reload refused; the running configuration stays",
               {{"err", std::string(SV(st.message()))}});
    {
      std::lock_guard<std::mutex> l(s.cfg_mu);
      s.last_reload_ok = false;
    }
    s.reload_success->Set(0);
    s.reload_failures->Inc();
    return absl::InvalidArgumentError(absl::StrCat("error loading config: ", st.message()));
  }
  auto shared = std::make_shared<const config::Config>(std::move(c->cfg));
  if (shared->storage.tsdb) s.storage->SetOutOfOrderWindow(shared->storage.tsdb->out_of_order_time_window_ms);
  absl::Time now = absl::Now();
  {
    std::lock_guard<std::mutex> l(s.cfg_mu);
    s.config = shared;
    s.last_reload_ok = true;
    s.last_reload_time = now;
  }
  s.reload_success->Set(1);
  s.reload_time->Set(absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  log::Info("main", "completed loading of configuration file",
            {{"filename", s.flags.config_file.empty() ? "<embedded default>" : s.flags.config_file}});
  return absl::OkStatus();
}

void Server::Stop() {
  State& s = *s_;
  s.ready = false;
  if (s.scrape) {
    log::Info("main", "stopping scrape manager");
    s.scrape->Stop();
  }
  if (s.probes) s.probes->Stop();
  if (s.rules) s.rules->Stop();
  if (s.alert_sender) s.alert_sender->Stop();  // after the rules: their last alerts are sent (or dropped)
  if (s.alertmanager) s.alertmanager->Stop();
  if (s.http) {
    s.http->Stop(absl::Seconds(10));
  }
  if (s.storage) {
    log::Info("main", "closing storage");
    absl::Status st = s.storage->Close();
    if (!st.ok()) log::Error("main", "closing storage", {{"err", std::string(SV(st.message()))}});
    s.storage.reset();
  }
  s.scrape.reset();
}

int RunServer(const Flags& flags) {
  // Signals are taken by this thread alone (sigwait): block them before any
  // other thread exists, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Server server(flags);
  absl::Status st = server.Start();
  if (!st.ok()) {
    log::Error("main", "cannot start", {{"err", std::string(SV(st.message()))}});
    std::fprintf(stderr, "pharos: %s\n", std::string(SV(st.message())).c_str());
    return 1;
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      (void)server.Reload();
      continue;
    }
    log::Warn("main", "received a signal, exiting gracefully", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  server.Stop();
  log::Info("main", "see you next time");
  return 0;
}

}  // namespace pharos::app
