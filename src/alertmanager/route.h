// The routing tree (Alertmanager 0.25's dispatch.Route): which routes an
// alert goes to, with the settings each route inherits from its parent.
//
// Match() is a depth-first, left-to-right search: a route matches when all
// its matchers accept the alert's labels (a missing label reads as ""); the
// first matching child ends the search at that level unless it has
// `continue: true`; a matching route with no matching child is itself the
// match.
//
// Settings are taken as the loaded config gives them: the loader (config.cc)
// applies 0.25's inheritance of receiver, group_by and the three timings
// from the parent, since only it knows what a route set itself. A route
// without a receiver (hand-built configs) takes its parent's. Mute/active
// time intervals are never inherited.
//
// Key() is 0.25's route key: the parent's key, "/", then the route's sorted
// matchers as {name="value",...}; the root route's key is "{}". ID() adds the
// route's index among its siblings ("/0") so that routes with the same
// matchers are told apart. Group keys use Key(), like 0.25, so notification
// log entries keep their meaning across versions.
//
// Thread-safety: immutable after Build(); safe to share.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "alertmanager/config.h"
#include "alertmanager/types.h"
#include "common/matcher.h"

namespace pharos::am {

struct RouteOpts {
  std::string receiver;
  std::set<std::string> group_by;
  bool group_by_all = false;  // group_by: ['...']
  absl::Duration group_wait = absl::Seconds(30);
  absl::Duration group_interval = absl::Minutes(5);
  absl::Duration repeat_interval = absl::Hours(4);
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
};

class RouteNode {
 public:
  // The tree for a config's root route.
  static std::unique_ptr<RouteNode> Build(const Route& root);

  RouteNode(const RouteNode&) = delete;
  RouteNode& operator=(const RouteNode&) = delete;

  // The routes that `labels` goes to, in tree order; empty when this route's
  // own matchers do not match (never for the root, which has none).
  std::vector<const RouteNode*> Match(const LabelSet& labels) const;

  // The labels of `alert_labels` that this route groups by (all of them for
  // '...').
  LabelSet GroupLabels(const LabelSet& alert_labels) const;

  std::string Key() const;
  std::string ID() const;

  const RouteOpts& opts() const { return opts_; }
  const Matchers& matchers() const { return matchers_; }  // sorted as 0.25 sorts them
  bool continue_matching() const { return continue_; }
  const RouteNode* parent() const { return parent_; }
  const std::vector<std::unique_ptr<RouteNode>>& children() const { return children_; }

  // Visits this route and its descendants depth-first.
  void Walk(const std::function<void(const RouteNode&)>& visit) const;

 private:
  RouteNode() = default;
  static std::unique_ptr<RouteNode> BuildNode(const Route& cfg, const RouteNode* parent, int index);
  void MatchInto(const LabelSet& labels, std::vector<const RouteNode*>* out) const;

  const RouteNode* parent_ = nullptr;
  int index_ = 0;  // among the parent's children
  RouteOpts opts_;
  Matchers matchers_;
  bool continue_ = false;
  std::vector<std::unique_ptr<RouteNode>> children_;
};

// True when every matcher accepts its label of `labels` (a missing label
// reads as ""), as 0.25's labels.Matchers.Matches.
bool MatchesLabelSet(const Matchers& ms, const LabelSet& labels);

// {a="1",b=~"x"} as 0.25's labels.Matchers.String() prints a route's
// matchers.
std::string MatchersString(const Matchers& ms);

}  // namespace pharos::am
