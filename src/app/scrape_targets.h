// The scrape manager's targets as the API's TargetsProvider shows them.
#pragma once

#include "api/providers.h"
#include "scrape/manager.h"

namespace pharos::app {

class ScrapeTargets final : public api::TargetsProvider {
 public:
  explicit ScrapeTargets(scrape::Manager* manager) : manager_(manager) {}
  std::vector<api::ActiveTarget> ActiveTargets() override;
  std::vector<api::DroppedTarget> DroppedTargets() override;
  std::map<std::string, int> DroppedTargetCounts() override;

 private:
  scrape::Manager* manager_;
};

}  // namespace pharos::app
