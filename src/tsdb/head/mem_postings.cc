#include "tsdb/head/mem_postings.h"

#include <algorithm>
#include <mutex>


namespace pharos::tsdb::head {
namespace {

// References are handed out in increasing order, so appending keeps a list
// sorted except when two creations race; then the new one moves into place.
// Lists grow by a quarter rather than doubling: every series is in one
// list per label, so the unused tail of doubled lists is a sizeable part
// of the head's memory per series.
template <typename T>
void InsertSorted(std::vector<T>* v, T ref) {
  if (v->size() == v->capacity()) v->reserve(v->size() + std::max<size_t>(4, v->size() / 4));
  v->push_back(ref);
  for (size_t i = v->size() - 1; i > 0 && (*v)[i - 1] > (*v)[i]; --i) std::swap((*v)[i - 1], (*v)[i]);
}

template <typename T>
void EraseSorted(std::vector<T>* v, T ref) {
  auto it = std::lower_bound(v->begin(), v->end(), ref);
  if (it != v->end() && *it == ref) v->erase(it);
}

constexpr uint64_t kLoLimit = uint64_t{1} << 32;

}  // namespace

void MemPostings::List::Insert(uint64_t ref) {
  if (ref < kLoLimit) {
    InsertSorted(&lo, static_cast<uint32_t>(ref));
  } else {
    if (!hi) hi = std::make_unique<std::vector<uint64_t>>();
    InsertSorted(hi.get(), ref);
  }
}

void MemPostings::List::Erase(uint64_t ref) {
  if (ref < kLoLimit) {
    EraseSorted(&lo, static_cast<uint32_t>(ref));
  } else if (hi) {
    EraseSorted(hi.get(), ref);
  }
}

std::unique_ptr<Postings> MemPostings::List::Iterate() const {
  if (!hi || hi->empty()) return NewListPostings(std::span<const uint32_t>(lo));
  std::vector<std::unique_ptr<Postings>> parts;
  parts.push_back(NewListPostings(std::span<const uint32_t>(lo)));
  parts.push_back(NewListPostings(std::span<const uint64_t>(*hi)));
  return Merge(std::move(parts));
}

void MemPostings::Add(uint64_t ref, const Labels& labels) {
  std::unique_lock lock(mu_);
  for (const auto& l : labels) m_[l.name][l.value].Insert(ref);
  all_.Insert(ref);
}

void MemPostings::Delete(const std::vector<std::pair<uint64_t, Labels>>& series) {
  if (series.empty()) return;
  std::unique_lock lock(mu_);
  absl::flat_hash_set<uint64_t> gone;
  for (const auto& [ref, labels] : series) {
    gone.insert(ref);
    for (const auto& l : labels) {
      auto n = m_.find(l.name);
      if (n == m_.end()) continue;
      auto v = n->second.find(l.value);
      if (v == n->second.end()) continue;
      v->second.Erase(ref);
      if (v->second.empty()) n->second.erase(v);
      if (n->second.empty()) m_.erase(n);
    }
  }
  std::erase_if(all_.lo, [&](uint32_t r) { return gone.contains(r); });
  if (all_.hi) std::erase_if(*all_.hi, [&](uint64_t r) { return gone.contains(r); });
}

std::vector<uint64_t> MemPostings::Select(const Matchers& matchers) const {
  std::shared_lock lock(mu_);
  std::vector<std::unique_ptr<Postings>> want;
  std::vector<std::unique_ptr<Postings>> drop;
  for (const auto& m : matchers) {
    auto n = m_.find(m.name());
    if (!m.MatchesEmpty()) {
      // Series whose value matches: the union of those values' lists.
      if (n == m_.end()) return {};
      std::vector<std::unique_ptr<Postings>> u;
      if (m.type() == MatchType::kEqual) {
        auto v = n->second.find(m.value());
        if (v != n->second.end()) u.push_back(v->second.Iterate());
      } else if (m.type() == MatchType::kRegexMatch && !m.SetMatches().empty()) {
        for (const auto& s : m.SetMatches()) {
          auto v = n->second.find(s);
          if (v != n->second.end()) u.push_back(v->second.Iterate());
        }
      } else {
        for (const auto& [value, refs] : n->second) {
          if (m.Matches(value)) u.push_back(refs.Iterate());
        }
      }
      if (u.empty()) return {};
      want.push_back(Merge(std::move(u)));
    } else if (n != m_.end()) {
      // Matches the empty value: every series except those whose (non-empty)
      // value does not match.
      for (const auto& [value, refs] : n->second) {
        if (!m.Matches(value)) drop.push_back(refs.Iterate());
      }
    }
  }
  if (want.empty()) want.push_back(all_.Iterate());
  std::unique_ptr<Postings> p = Intersect(std::move(want));
  if (!drop.empty()) p = Without(std::move(p), Merge(std::move(drop)));
  std::vector<uint64_t> out;
  (void)ExpandPostings(*p, &out);  // in-memory lists cannot fail
  return out;
}

std::vector<std::string> MemPostings::Values(std::string_view name) const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  auto n = m_.find(std::string(name));
  if (n == m_.end()) return out;
  for (const auto& [v, refs] : n->second) out.push_back(v);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> MemPostings::Names() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [n, lists] : m_) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pharos::tsdb::head
