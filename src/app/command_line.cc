#include "app/command_line.h"

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace pharos::app {
namespace {

// Flags whose values are parsed after CLI11 has collected them as text.
struct RawFlags {
  std::string retention_time;
  std::string retention_legacy;
  std::string retention_size;
  std::string wal_fsync = "batch";
  std::string read_timeout = "5m";
  std::string max_body_size = "32MB";
  std::string lookback_delta = "5m";
  std::string query_timeout = "2m";
  std::string for_outage_tolerance = "1h";
  std::string for_grace_period = "10m";
  std::string resend_delay = "1m";
  std::string am_retention = "120h";
  std::string web_config_file;
  std::string enable_feature;
};

// Accepted for compatibility with Prometheus command lines; no effect.
const char* const kIgnoredStringFlags[] = {
    "--web.console.templates",
    "--web.console.libraries",
    "--web.page-title",
    "--web.cors.origin",
    "--web.local-assets",
    "--web.user-assets",
    "--storage.tsdb.head-chunks-write-queue-size",
    "--storage.agent.path",
    "--storage.agent.retention.min-time",
    "--storage.agent.retention.max-time",
    "--storage.remote.flush-deadline",
    "--storage.remote.read-sample-limit",
    "--storage.remote.read-concurrent-limit",
    "--storage.remote.read-max-bytes-in-frame",
    "--alertmanager.timeout",  // each alerting.alertmanagers entry has its own timeout
};
const char* const kIgnoredBoolFlags[] = {
    "--web.enable-remote-write-receiver",  // always on: remote write is an ingest path
    "--storage.tsdb.use-lockfile",
    "--storage.tsdb.no-lockfile",
    "--storage.agent.wal-compression",
    "--storage.agent.use-lockfile",
    "--storage.tsdb.wal-compression",
};

absl::Status ParseDurationFlag(std::string_view name, const std::string& v, int64_t* out) {
  auto d = ParseDurationMs(v);
  if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--", AV(name), ": ", d.status().message()));
  *out = *d;
  return absl::OkStatus();
}

absl::Status Finalize(const RawFlags& raw, Flags* f) {
  if (!raw.web_config_file.empty()) {
    return absl::InvalidArgumentError(
        "--web.config.file: TLS and basic authentication of the web server are not supported by pharos; "
        "put a reverse proxy in front of it");
  }
  std::string retention = raw.retention_time.empty() ? raw.retention_legacy : raw.retention_time;
  if (!retention.empty()) RETURN_IF_ERROR(ParseDurationFlag("storage.tsdb.retention.time", retention, &f->retention_ms));
  if (!raw.retention_size.empty()) {
    auto b = ParseBytes(raw.retention_size);
    if (!b.ok()) return absl::InvalidArgumentError(absl::StrCat("--storage.tsdb.retention.size: ", b.status().message()));
    f->retention_bytes = *b;
  }
  if (f->retention_ms == 0 && f->retention_bytes == 0) f->retention_ms = 15LL * 24 * 3600 * 1000;
  if (raw.wal_fsync == "batch") {
    f->wal_fsync = FsyncPolicy::kBatch;
  } else if (raw.wal_fsync == "never") {
    f->wal_fsync = FsyncPolicy::kNever;
  } else {
    f->wal_fsync = FsyncPolicy::kInterval;
    auto d = ParseDurationMs(raw.wal_fsync);
    if (!d.ok() || *d == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--storage.wal.fsync: want \"batch\", \"never\" or a non-zero duration such as \"1s\", got \"",
          raw.wal_fsync, "\""));
    }
    f->wal_fsync_interval_ms = *d;
  }
  RETURN_IF_ERROR(ParseDurationFlag("web.read-timeout", raw.read_timeout, &f->read_timeout_ms));
  {
    auto b = ParseBytes(raw.max_body_size);
    if (!b.ok()) return absl::InvalidArgumentError(absl::StrCat("--web.max-body-size: ", b.status().message()));
    f->max_body_bytes = *b;
  }
  RETURN_IF_ERROR(ParseDurationFlag("query.lookback-delta", raw.lookback_delta, &f->lookback_delta_ms));
  RETURN_IF_ERROR(ParseDurationFlag("query.timeout", raw.query_timeout, &f->query_timeout_ms));
  RETURN_IF_ERROR(ParseDurationFlag("rules.alert.for-outage-tolerance", raw.for_outage_tolerance,
                                    &f->for_outage_tolerance_ms));
  RETURN_IF_ERROR(ParseDurationFlag("rules.alert.for-grace-period", raw.for_grace_period, &f->for_grace_period_ms));
  RETURN_IF_ERROR(ParseDurationFlag("rules.alert.resend-delay", raw.resend_delay, &f->resend_delay_ms));
  if (f->notification_queue_capacity <= 0) {
    return absl::InvalidArgumentError("--alertmanager.notification-queue-capacity: must be positive");
  }
  RETURN_IF_ERROR(ParseDurationFlag("alertmanager.data.retention", raw.am_retention, &f->am_retention_ms));
  log::Level level;
  if (!log::ParseLevel(f->log_level, &level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log.level: want one of debug, info, warn, error; got \"", f->log_level, "\""));
  }
  log::Format format;
  if (!log::ParseFormat(f->log_format, &format)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--log.format: want logfmt or json; got \"", f->log_format, "\""));
  }
  if (!raw.enable_feature.empty()) {
    for (absl::string_view feat : absl::StrSplit(raw.enable_feature, ',', absl::SkipEmpty())) {
      if (feat == "agent") {
        return absl::InvalidArgumentError("--enable-feature=agent: agent mode is not supported by pharos");
      }
      f->features.emplace_back(feat);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine cl;
  Flags& f = cl.flags;
  RawFlags raw;
  CLI::App app{"Pharos: metrics, alerting and health checks in one server, compatible with Prometheus."};
  app.set_version_flag("--version", "pharos, version 0.1.0");
  app.allow_windows_style_options(false);

  app.add_option("--config.file", f.config_file, "Configuration file (prometheus.yml superset); empty: embedded default");
  app.add_option("--probes.config.file", f.probes_config_file, "blackbox_exporter module file for probes and /probe");
  app.add_option("--alertmanager.config.file", f.am_config_file,
                 "alertmanager.yml of the built-in Alertmanager (or `alertmanager:` in --config.file)");
  app.add_option("--alertmanager.storage.path", f.am_storage_path,
                 "Silences and notification log of the built-in Alertmanager (default <storage.tsdb.path>/alertmanager)");
  app.add_option("--alertmanager.data.retention", raw.am_retention,
                 "How long the built-in Alertmanager keeps expired silences and notification-log entries");
  app.add_option("--web.listen-address", f.listen_address, "Address to listen on for the UI, API and telemetry");
  app.add_option("--web.external-url", f.external_url, "The URL under which pharos is reachable from outside");
  app.add_option("--web.route-prefix", f.route_prefix, "Prefix for the internal routes of web endpoints");
  app.add_flag("--web.enable-lifecycle,!--no-web.enable-lifecycle", f.enable_lifecycle, "Enable reload via HTTP request");
  app.add_flag("--web.enable-admin-api,!--no-web.enable-admin-api", f.enable_admin_api, "Enable admin endpoints");
  app.add_option("--web.read-timeout", raw.read_timeout, "Maximum duration for reading a request");
  app.add_option("--web.max-connections", f.max_connections, "Maximum number of simultaneous connections");
  app.add_option("--web.max-body-size", raw.max_body_size, "Largest request body accepted (e.g. remote write)");
  app.add_option("--web.config.file", raw.web_config_file, "Not supported (TLS/auth of the web server)");
  app.add_option("--storage.tsdb.path", f.tsdb_path, "Base path for metrics storage");
  app.add_option("--storage.tsdb.retention.time", raw.retention_time, "How long to retain samples (default 15d)");
  app.add_option("--storage.tsdb.retention", raw.retention_legacy, "Deprecated alias of --storage.tsdb.retention.time");
  app.add_option("--storage.tsdb.retention.size", raw.retention_size, "Maximum bytes of storage blocks to retain");
  app.add_option("--storage.wal.fsync", raw.wal_fsync,
                 "When the WAL reaches the disk: batch (before each acknowledgement), a duration, or never");
  app.add_option("--query.lookback-delta", raw.lookback_delta, "Lookback for instant vector selectors");
  app.add_option("--query.timeout", raw.query_timeout, "Maximum time a query may take");
  app.add_option("--query.max-concurrency", f.query_max_concurrency, "Maximum number of concurrent queries");
  app.add_option("--query.max-samples", f.query_max_samples, "Maximum samples a query may load into memory");
  app.add_option("--rules.alert.for-outage-tolerance", raw.for_outage_tolerance, "Outage tolerated when restoring 'for' state");
  app.add_option("--rules.alert.for-grace-period", raw.for_grace_period, "Minimum duration between alert and restored 'for' state");
  app.add_option("--rules.alert.resend-delay", raw.resend_delay, "Minimum wait before resending an alert");
  app.add_option("--alertmanager.notification-queue-capacity", f.notification_queue_capacity,
                 "The capacity of the queue for pending Alertmanager notifications");
  app.add_flag("--alertmanager.drain-notification-queue-on-shutdown,!--no-alertmanager.drain-notification-queue-on-shutdown",
               f.drain_notification_queue, "Send any outstanding Alertmanager notifications when shutting down");
  app.add_option("--log.level", f.log_level, "debug, info, warn or error");
  app.add_option("--log.format", f.log_format, "logfmt or json");
  app.add_option("--enable-feature", raw.enable_feature, "Comma separated feature names (accepted for compatibility)");
  std::vector<std::string> ignored_values(std::size(kIgnoredStringFlags));
  for (size_t i = 0; i < std::size(kIgnoredStringFlags); ++i) {
    app.add_option(kIgnoredStringFlags[i], ignored_values[i], "Accepted for compatibility; no effect")->group("");
  }
  std::vector<bool> ignored_bools(std::size(kIgnoredBoolFlags));
  for (size_t i = 0; i < std::size(kIgnoredBoolFlags); ++i) {
    app.add_flag(kIgnoredBoolFlags[i], [](int64_t) {}, "Accepted for compatibility; no effect")->group("");
  }

  CLI::App* check = app.add_subcommand("check", "Check configuration files");
  check->require_subcommand(1);
  CLI::App* check_config = check->add_subcommand("config", "Check a configuration file");
  check_config->add_option("files", cl.args, "Configuration files")->required();
  CLI::App* check_am = check->add_subcommand(
      "alertmanager-config", "Check alertmanager.yml files (as amtool check-config)");
  check_am->add_option("files", cl.args, "Alertmanager configuration files")->required();
  CLI::App* check_rules = check->add_subcommand("rules", "Check rule files (as promtool check rules)");
  check_rules->add_option("files", cl.args, "Rule files")->required();
  check_rules->add_option("--lint", cl.lint, "Linting checks: none or duplicate-rules")
      ->check(CLI::IsMember({"none", "duplicate-rules"}));
  check_rules->add_flag("--lint-fatal", cl.lint_fatal, "Make lint findings fatal (exit status 3)");
  CLI::App* test = app.add_subcommand("test", "Unit testing");
  test->require_subcommand(1);
  CLI::App* test_rules = test->add_subcommand("rules", "Unit tests for rules (promtool's test file format)");
  test_rules->add_option("files", cl.args, "Test files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    cl.kind = CommandLine::Kind::kHelp;
    cl.help = app.help();
    return cl;
  } catch (const CLI::CallForVersion&) {
    cl.kind = CommandLine::Kind::kVersion;
    cl.help = app.version();
    return cl;
  } catch (const CLI::ParseError& e) {
    return absl::InvalidArgumentError(e.what());
  }
  if (check_config->parsed()) {
    cl.kind = CommandLine::Kind::kCheckConfig;
    return cl;
  }
  if (check_am->parsed()) {
    cl.kind = CommandLine::Kind::kCheckAmConfig;
    return cl;
  }
  if (check_rules->parsed()) {
    cl.kind = CommandLine::Kind::kCheckRules;
    return cl;
  }
  if (test_rules->parsed()) {
    cl.kind = CommandLine::Kind::kTestRules;
    return cl;
  }
  RETURN_IF_ERROR(Finalize(raw, &f));
  for (const CLI::Option* opt : app.get_options()) {
    std::string name = opt->get_single_name();
    if (name.empty() || name == "help" || name == "version") continue;
    std::string value = opt->as<std::string>();
    f.all.emplace_back(name, value);
  }
  return cl;
}

}  // namespace pharos::app
