#include "alertmanager/route.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/go_quote.h"
#include "common/strings.h"

namespace pharos::am {

std::string MatchersString(const Matchers& ms) {
  std::string out = "{";
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i > 0) out += ',';
    // 0.25 prints a matcher as name, operator and the value with Go's %q.
    absl::StrAppend(&out, ms[i].name(), AV(MatchTypeString(ms[i].type())), GoQuote(ms[i].value()));
  }
  out += '}';
  return out;
}

std::unique_ptr<RouteNode> RouteNode::Build(const Route& root) { return BuildNode(root, nullptr, 0); }

std::unique_ptr<RouteNode> RouteNode::BuildNode(const Route& cfg, const RouteNode* parent, int index) {
  std::unique_ptr<RouteNode> n(new RouteNode());
  n->parent_ = parent;
  n->index_ = index;
  // The loader has already applied 0.25's inheritance (it alone knows what
  // a route set itself); only an empty receiver, which no loaded config
  // has, falls back to the parent's.
  n->opts_.receiver = cfg.receiver.empty() && parent != nullptr ? parent->opts_.receiver : cfg.receiver;
  n->opts_.group_by_all = cfg.group_by_all;
  if (!cfg.group_by_all) n->opts_.group_by = std::set<std::string>(cfg.group_by.begin(), cfg.group_by.end());
  n->opts_.group_wait = cfg.group_wait;
  n->opts_.group_interval = cfg.group_interval;
  n->opts_.repeat_interval = cfg.repeat_interval;
  n->opts_.mute_time_intervals = cfg.mute_time_intervals;
  n->opts_.active_time_intervals = cfg.active_time_intervals;
  n->continue_ = cfg.continue_matching;

  n->matchers_ = cfg.matchers;
  // 0.25 sorts a route's matchers by name, then value, then type.
  std::stable_sort(n->matchers_.begin(), n->matchers_.end(), [](const Matcher& a, const Matcher& b) {
    if (a.name() != b.name()) return a.name() < b.name();
    if (a.value() != b.value()) return a.value() < b.value();
    return static_cast<int>(a.type()) < static_cast<int>(b.type());
  });

  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    n->children_.push_back(BuildNode(*cfg.routes[i], n.get(), static_cast<int>(i)));
  }
  return n;
}

bool MatchesLabelSet(const Matchers& ms, const LabelSet& labels) {
  static const std::string kEmpty;
  for (const Matcher& m : ms) {
    auto it = labels.find(m.name());
    if (!m.Matches(it == labels.end() ? kEmpty : it->second)) return false;
  }
  return true;
}

void RouteNode::MatchInto(const LabelSet& labels, std::vector<const RouteNode*>* out) const {
  const size_t before = out->size();
  for (const auto& child : children_) {
    if (!MatchesLabelSet(child->matchers_, labels)) continue;
    child->MatchInto(labels, out);
    if (!child->continue_) break;
  }
  if (out->size() == before) out->push_back(this);
}

std::vector<const RouteNode*> RouteNode::Match(const LabelSet& labels) const {
  std::vector<const RouteNode*> out;
  if (!MatchesLabelSet(matchers_, labels)) return out;
  MatchInto(labels, &out);
  return out;
}

LabelSet RouteNode::GroupLabels(const LabelSet& alert_labels) const {
  if (opts_.group_by_all) return alert_labels;
  LabelSet out;
  for (const auto& [name, value] : alert_labels) {
    if (opts_.group_by.count(name) > 0) out.emplace(name, value);
  }
  return out;
}

std::string RouteNode::Key() const {
  if (parent_ == nullptr) return MatchersString(matchers_);
  return absl::StrCat(parent_->Key(), "/", MatchersString(matchers_));
}

std::string RouteNode::ID() const {
  if (parent_ == nullptr) return MatchersString(matchers_);
  return absl::StrCat(parent_->ID(), "/", MatchersString(matchers_), "/", index_);
}

void RouteNode::Walk(const std::function<void(const RouteNode&)>& visit) const {
  visit(*this);
  for (const auto& c : children_) c->Walk(visit);
}

}  // namespace pharos::am
