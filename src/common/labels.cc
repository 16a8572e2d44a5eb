#include "common/labels.h"

#include <algorithm>
#include <cassert>

#define XXH_STATIC_LINKING_ONLY
#include "xxhash.h"

namespace pharos {
namespace {

void SortUnique(std::vector<Label>& v) {
  // Stable sort keeps insertion order among equal names; the last one wins.
  std::stable_sort(v.begin(), v.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].name == v[i].name) {
      v[out - 1] = std::move(v[i]);
    } else {
      if (out != i) v[out] = std::move(v[i]);
      ++out;
    }
  }
  v.resize(out);
}

void HashLabel(XXH3_state_t* st, const Label& l) {
  // Separators that cannot occur in valid UTF-8 keep ("ab","c") and ("a","bc") apart.
  static constexpr char kSep = '\xff';
  XXH3_64bits_update(st, l.name.data(), l.name.size());
  XXH3_64bits_update(st, &kSep, 1);
  XXH3_64bits_update(st, l.value.data(), l.value.size());
  XXH3_64bits_update(st, &kSep, 1);
}

void AppendQuoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  labels_.reserve(pairs.size());
  for (const auto& [n, v] : pairs) labels_.push_back(Label{std::string(n), std::string(v)});
  SortUnique(labels_);
}

Labels Labels::FromUnsorted(std::vector<Label> pairs) {
  Labels l;
  l.labels_ = std::move(pairs);
  SortUnique(l.labels_);
  return l;
}

Labels Labels::FromSorted(std::vector<Label> pairs) {
  Labels l;
  l.labels_ = std::move(pairs);
#ifndef NDEBUG
  for (size_t i = 1; i < l.labels_.size(); ++i) assert(l.labels_[i - 1].name < l.labels_[i].name);
#endif
  return l;
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  return it != labels_.end() && it->name == name;
}

uint64_t Labels::Hash() const {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  for (const auto& l : labels_) HashLabel(&st, l);
  return XXH3_64bits_digest(&st);
}

uint64_t Labels::HashFor(const std::vector<std::string>& names, bool on) const {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  for (const auto& l : labels_) {
    bool listed = std::find(names.begin(), names.end(), l.name) != names.end();
    if (on ? listed : (!listed && l.name != kMetricName)) HashLabel(&st, l);
  }
  return XXH3_64bits_digest(&st);
}

std::string Labels::ToString() const {
  std::string out;
  std::string_view name = MetricName();
  out.append(name);
  out.push_back('{');
  bool first = true;
  for (const auto& l : labels_) {
    if (l.name == kMetricName) continue;
    if (!first) out += ", ";
    first = false;
    out += l.name;
    out.push_back('=');
    AppendQuoted(out, l.value);
  }
  out.push_back('}');
  if (!name.empty() && first) out.resize(out.size() - 2);  // "name" alone, no "{}"
  return out;
}

int Labels::Compare(const Labels& a, const Labels& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].name.compare(b[i].name); c != 0) return c < 0 ? -1 : 1;
    if (int c = a[i].value.compare(b[i].value); c != 0) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

void LabelsBuilder::Reset(const Labels& base) { pairs_ = base.pairs(); }

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) {
    it->value.assign(value);
  } else {
    pairs_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) pairs_.erase(it);
  return *this;
}

LabelsBuilder& LabelsBuilder::Keep(const std::vector<std::string>& names) {
  std::erase_if(pairs_, [&](const Label& l) {
    return std::find(names.begin(), names.end(), l.name) == names.end();
  });
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != pairs_.end() && it->name == name) return it->value;
  return {};
}

Labels LabelsBuilder::Build() const { return Labels::FromSorted(pairs_); }

}  // namespace pharos
