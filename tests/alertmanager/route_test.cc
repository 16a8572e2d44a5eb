#include "alertmanager/route.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace pharos::am {
namespace {

Matcher Eq(const std::string& n, const std::string& v) { return Matcher::MustMake(MatchType::kEqual, n, v); }
Matcher Re(const std::string& n, const std::string& v) { return Matcher::MustMake(MatchType::kRegexMatch, n, v); }

std::unique_ptr<Route> R(std::string receiver, Matchers ms, bool cont = false) {
  auto r = std::make_unique<Route>();
  r->receiver = std::move(receiver);
  r->matchers = std::move(ms);
  r->continue_matching = cont;
  return r;
}

std::vector<std::string> Receivers(const std::vector<const RouteNode*>& rs) {
  std::vector<std::string> out;
  for (const RouteNode* r : rs) out.push_back(r->opts().receiver);
  return out;
}

// root (default, group_by [alertname])
//  ├─ {team="db"} → db (continue)
//  │    └─ {severity="critical"} → db-pager
//  ├─ {team=~"db|web"} → web, group_by ['...']
//  └─ {} → catchall (no receiver: inherits)
Route Tree() {
  Route root;
  root.receiver = "default";
  root.group_by = {"alertname"};
  auto db = R("db", {Eq("team", "db")}, true);
  db->routes.push_back(R("db-pager", {Eq("severity", "critical")}));
  db->group_wait = absl::Seconds(10);
  auto web = R("web", {Re("team", "db|web")});
  web->group_by_all = true;
  auto catchall = R("", {});
  root.routes.push_back(std::move(db));
  root.routes.push_back(std::move(web));
  root.routes.push_back(std::move(catchall));
  return root;
}

TEST(RouteTree, MatchIsDepthFirstAndHonoursContinue) {
  Route cfg = Tree();
  auto root = RouteNode::Build(cfg);
  struct Case {
    LabelSet labels;
    std::vector<std::string> want;
  } cases[] = {
      // db (continue) then the next sibling that matches (web) ends the search.
      {{{"team", "db"}}, {"db", "web"}},
      // The child of db matches: db itself is not a match.
      {{{"team", "db"}, {"severity", "critical"}}, {"db-pager", "web"}},
      {{{"team", "web"}}, {"web"}},
      // {} matches everything; no receiver inherits the root's.
      {{{"team", "ops"}}, {"default"}},
      {{}, {"default"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Receivers(root->Match(c.labels)), c.want) << LabelSetString(c.labels);
  }
}

TEST(RouteTree, NoChildMatchesMeansTheRouteItself) {
  Route cfg;
  cfg.receiver = "root";
  cfg.routes.push_back(R("a", {Eq("x", "1")}));
  auto root = RouteNode::Build(cfg);
  EXPECT_EQ(Receivers(root->Match({{"x", "2"}})), std::vector<std::string>{"root"});
  EXPECT_EQ(Receivers(root->Match({{"x", "1"}})), std::vector<std::string>{"a"});
}

TEST(RouteTree, TakesTheLoadedSettings) {
  Route cfg = Tree();
  // As the loader resolves inheritance: the children carry the values.
  cfg.routes[0]->group_by = {"alertname"};
  cfg.routes[0]->routes[0]->group_by = {"alertname"};
  cfg.routes[2]->group_by = {"alertname"};
  auto root = RouteNode::Build(cfg);
  const RouteNode* db = root->children()[0].get();
  const RouteNode* pager = db->children()[0].get();
  const RouteNode* web = root->children()[1].get();
  const RouteNode* catchall = root->children()[2].get();
  EXPECT_EQ(pager->opts().group_by, std::set<std::string>{"alertname"});
  EXPECT_FALSE(pager->opts().group_by_all);
  EXPECT_EQ(db->opts().group_wait, absl::Seconds(10));
  EXPECT_TRUE(web->opts().group_by_all);
  EXPECT_EQ(catchall->opts().receiver, "default");
  EXPECT_TRUE(db->continue_matching());
  EXPECT_FALSE(pager->continue_matching());
  // An empty group_by (as loaded) means one group for all alerts.
  cfg.routes[0]->routes[0]->group_by.clear();
  auto again = RouteNode::Build(cfg);
  EXPECT_TRUE(again->children()[0]->children()[0]->opts().group_by.empty());
  EXPECT_EQ(again->children()[0]->children()[0]->GroupLabels({{"alertname", "A"}}), LabelSet{});
}

TEST(RouteTree, TimeIntervalsAreNotInherited) {
  Route cfg;
  cfg.receiver = "r";
  auto child = R("c", {Eq("a", "1")});
  child->mute_time_intervals = {"nights"};
  child->routes.push_back(R("g", {Eq("b", "1")}));
  cfg.routes.push_back(std::move(child));
  auto root = RouteNode::Build(cfg);
  EXPECT_EQ(root->children()[0]->opts().mute_time_intervals, std::vector<std::string>{"nights"});
  EXPECT_TRUE(root->children()[0]->children()[0]->opts().mute_time_intervals.empty());
}

TEST(RouteTree, KeysAsAlertmanager) {
  Route cfg;
  cfg.receiver = "r";
  // Matchers sorted by name, then value.
  auto c = R("c", {Eq("severity", "critical"), Re("alertname", "A|B")});
  c->routes.push_back(R("d", {}));
  cfg.routes.push_back(R("x", {}));
  cfg.routes.push_back(std::move(c));
  auto root = RouteNode::Build(cfg);
  EXPECT_EQ(root->Key(), "{}");
  EXPECT_EQ(root->children()[0]->Key(), "{}/{}");
  const RouteNode* crit = root->children()[1].get();
  EXPECT_EQ(crit->Key(), "{}/{alertname=~\"A|B\",severity=\"critical\"}");
  EXPECT_EQ(crit->children()[0]->Key(), "{}/{alertname=~\"A|B\",severity=\"critical\"}/{}");
  // Values are quoted as Go's %q.
  Route tab;
  tab.receiver = "r";
  tab.routes.push_back(R("t", {Eq("a", "x\ty\"z")}));
  EXPECT_EQ(RouteNode::Build(tab)->children()[0]->Key(), "{}/{a=\"x\\ty\\\"z\"}");
  // ID tells apart siblings by position.
  EXPECT_EQ(root->children()[0]->ID(), "{}/{}/0");
  EXPECT_EQ(crit->children()[0]->ID(), "{}/{alertname=~\"A|B\",severity=\"critical\"}/1/{}/0");
}

TEST(RouteTree, GroupLabels) {
  Route cfg = Tree();
  auto root = RouteNode::Build(cfg);
  LabelSet alert = {{"alertname", "X"}, {"team", "web"}, {"instance", "a"}};
  EXPECT_EQ(root->GroupLabels(alert), (LabelSet{{"alertname", "X"}}));
  // '...' groups by every label.
  EXPECT_EQ(root->children()[1]->GroupLabels(alert), alert);
  // Missing group_by labels are simply absent.
  EXPECT_EQ(root->GroupLabels({{"team", "web"}}), LabelSet{});
}

TEST(RouteTree, MissingLabelMatchesEmptyValue) {
  Route cfg;
  cfg.receiver = "r";
  cfg.routes.push_back(R("empty", {Eq("team", "")}));
  auto root = RouteNode::Build(cfg);
  EXPECT_EQ(Receivers(root->Match({{"a", "1"}})), std::vector<std::string>{"empty"});
  EXPECT_EQ(Receivers(root->Match({{"team", "x"}})), std::vector<std::string>{"r"});
}

TEST(RouteTree, WalkVisitsDepthFirst) {
  Route cfg = Tree();
  auto root = RouteNode::Build(cfg);
  std::vector<std::string> seen;
  root->Walk([&](const RouteNode& r) { seen.push_back(r.opts().receiver); });
  EXPECT_EQ(seen, (std::vector<std::string>{"default", "db", "db-pager", "web", "default"}));
}

}  // namespace
}  // namespace pharos::am

namespace pharos::am {
namespace {

// The tree of a loaded alertmanager.yml: inheritance as the loader resolves
// it, and route keys as 0.25 prints them.
TEST(RouteTree, FromALoadedConfig) {
  const char* yaml = R"(
route:
  receiver: default
  group_by: [alertname]
  group_wait: 1m
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      repeat_interval: 1h
      continue: true
      routes:
        - match: {team: db}
          group_by: []
    - match_re: {service: "api|web"}
      group_by: ['...']
receivers:
  - name: default
  - name: pager
)";
  absl::StatusOr<Config> c = LoadConfig(yaml, "t.yml");
  ASSERT_TRUE(c.ok()) << c.status();
  auto root = RouteNode::Build(*c->route);
  const RouteNode* crit = root->children()[0].get();
  const RouteNode* db = crit->children()[0].get();
  const RouteNode* svc = root->children()[1].get();
  EXPECT_EQ(crit->opts().receiver, "pager");
  EXPECT_EQ(crit->opts().group_wait, absl::Minutes(1));
  EXPECT_EQ(crit->opts().repeat_interval, absl::Hours(1));
  EXPECT_EQ(crit->opts().group_by, std::set<std::string>{"alertname"});
  EXPECT_EQ(db->opts().receiver, "pager");
  EXPECT_EQ(db->opts().repeat_interval, absl::Hours(1));
  // `group_by: []` is the same as no group_by in 0.25: inherited.
  EXPECT_EQ(db->opts().group_by, std::set<std::string>{"alertname"});
  EXPECT_TRUE(svc->opts().group_by_all);
  EXPECT_EQ(db->Key(), "{}/{severity=\"critical\"}/{team=\"db\"}");
  LabelSet alert = {{"alertname", "X"}, {"severity", "critical"}, {"service", "api"}};
  EXPECT_EQ(Receivers(root->Match(alert)), (std::vector<std::string>{"pager", "default"}));
  EXPECT_EQ(root->Match(alert)[1], svc);
}

}  // namespace
}  // namespace pharos::am
