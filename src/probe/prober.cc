#include "probe/prober.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "probe/internal/probers.h"

namespace pharos::probe {

absl::Duration EffectiveTimeout(const config::ProbeModule& module, absl::Duration scrape_timeout) {
  if (scrape_timeout <= absl::ZeroDuration()) scrape_timeout = absl::Seconds(120);
  absl::Duration module_timeout = absl::Milliseconds(module.timeout_ms);
  if (module.timeout_ms > 0 && module_timeout < scrape_timeout) return module_timeout;
  absl::Duration t = scrape_timeout - absl::Milliseconds(500);
  return t > absl::ZeroDuration() ? t : scrape_timeout;
}

ProbeResult RunProbe(const config::ProbeModule& m, std::string_view target, absl::Duration timeout) {
  ProbeResult r;
  const absl::Time deadline = absl::Now() + timeout;
  r.Info(absl::StrCat("Beginning probe probe=", m.prober, " timeout_seconds=", absl::ToDoubleSeconds(timeout)));
  bool ok = false;
  if (std::string why = m.Unsupported(); !why.empty()) {
    r.Fail(why);
  } else if (m.prober == "http") {
    ok = internal::ProbeHttp(m.http, target, deadline, &r);
  } else if (m.prober == "tcp") {
    ok = internal::ProbeTcp(m.tcp, target, deadline, &r);
  } else if (m.prober == "dns") {
    ok = internal::ProbeDns(m.dns, target, deadline, &r);
  } else if (m.prober == "postgres") {
    ok = internal::ProbePostgres(m.postgres, target, deadline, &r);
  } else if (m.prober == "redis") {
    ok = internal::ProbeRedis(m.redis, target, deadline, &r);
  } else if (m.prober == "mongodb") {
    ok = internal::ProbeMongodb(m.mongodb, target, deadline, &r);
  } else {
    r.Fail(absl::StrCat("unknown prober ", m.prober));
  }
  if (ok && absl::Now() > deadline) {
    r.Fail("probe finished after its timeout");
    ok = false;
  }
  r.Finish(ok);
  return r;
}

}  // namespace pharos::probe
