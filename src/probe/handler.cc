#include "probe/handler.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/metrics/text_format.h"
#include "common/strings.h"
#include "probe/prober.h"

namespace pharos::probe {

void ModuleSet::Update(const config::ProbeModules& file_modules, const config::ProbeModules& inline_modules) {
  auto merged = std::make_shared<config::ProbeModules>(file_modules);
  for (const auto& [name, m] : inline_modules.modules) merged->modules.insert_or_assign(name, m);
  absl::MutexLock l(&mu_);
  modules_ = std::move(merged);
}

std::shared_ptr<const config::ProbeModules> ModuleSet::Snapshot() const {
  absl::MutexLock l(&mu_);
  return modules_;
}

http::Handler ProbeHandler(std::shared_ptr<ModuleSet> modules) {
  return [modules](http::Request& req, http::Response& res) {
    std::string module_name(req.Param("module"));
    if (module_name.empty()) module_name = "http_2xx";
    auto snapshot = modules->Snapshot();
    const config::ProbeModule* m = snapshot->Find(module_name);
    if (m == nullptr) {
      res.SetError(400, absl::StrCat("Unknown module \"", module_name, "\""));
      return;
    }
    std::string_view target = req.Param("target");
    if (target.empty()) {
      res.SetError(400, "Target parameter is missing");
      return;
    }
    absl::Duration scrape_timeout = absl::ZeroDuration();
    if (std::string_view h = req.Header("X-Prometheus-Scrape-Timeout-Seconds"); !h.empty()) {
      double s = 0;
      if (!absl::SimpleAtod(AV(h), &s) || s <= 0) {
        res.SetError(500, absl::StrCat("Failed to parse timeout from Prometheus header: ", AV(h)));
        return;
      }
      scrape_timeout = absl::Seconds(s);
    }
    ProbeResult r = RunProbe(*m, target, EffectiveTimeout(*m, scrape_timeout));
    std::string metrics = RenderText(r);
    if (req.Param("debug") == "true") {
      std::string page = absl::StrCat("Logs for the probe:\n", absl::StrJoin(r.log(), "\n"),
                                      "\n\n\n\nMetrics that would have been returned:\n", metrics,
                                      "\n\n\nModule configuration:\n", config::DescribeModule(*m));
      res.SetText(200, page);
      return;
    }
    res.status = 200;
    res.SetHeader("Content-Type", metrics::kTextContentType);
    res.body = std::move(metrics);
  };
}

}  // namespace pharos::probe
