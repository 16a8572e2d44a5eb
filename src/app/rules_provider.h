// Adapts the rule manager to the API's RulesProvider (/api/v1/rules,
// /api/v1/alerts). Thread-safe: reads groups through their own locks.
#pragma once

#include "api/providers.h"
#include "rules/manager.h"

namespace pharos::app {

class ManagerRulesProvider : public api::RulesProvider {
 public:
  explicit ManagerRulesProvider(rules::Manager* manager) : manager_(manager) {}
  std::vector<api::RuleGroupInfo> RuleGroups() override;

 private:
  rules::Manager* manager_;
};

}  // namespace pharos::app
