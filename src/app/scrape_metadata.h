// The scrape targets' metric metadata as the API's MetadataProvider shows it.
#pragma once

#include "api/providers.h"
#include "scrape/manager.h"

namespace pharos::app {

class ScrapeMetadata final : public api::MetadataProvider {
 public:
  explicit ScrapeMetadata(scrape::Manager* manager) : manager_(manager) {}
  std::vector<api::TargetMetricMetadata> TargetsMetadata() override {
    std::vector<api::TargetMetricMetadata> out;
    for (const auto& pool : manager_->Pools()) {
      for (auto& [target, family, md] : pool->Metadata()) {
        out.push_back({std::move(family), std::move(md.type), std::move(md.help), std::move(md.unit)});
      }
    }
    return out;
  }

 private:
  scrape::Manager* manager_;
};

}  // namespace pharos::app
