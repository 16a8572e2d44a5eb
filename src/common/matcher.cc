#include "common/matcher.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/labels.h"
#include "common/strings.h"
#include "re2/re2.h"

namespace pharos {
namespace {

bool HasRegexMeta(std::string_view s) {
  return s.find_first_of(".+*?()|[]{}^$\\") != std::string_view::npos;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "?";
}

absl::StatusOr<Matcher> Matcher::Make(MatchType type, std::string_view name, std::string_view value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::string(name);
  m.value_ = std::string(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    if (value == ".*") {
      m.match_all_ = true;
    } else if (value == ".+") {
      m.match_any_nonempty_ = true;
    } else if (!HasRegexMeta(value)) {
      m.literal_ = true;
      m.set_.push_back(m.value_);
    } else {
      bool all_literal = true;
      std::vector<std::string> parts = absl::StrSplit(AV(value), '|');
      for (const auto& p : parts) {
        if (HasRegexMeta(p)) all_literal = false;
      }
      if (all_literal) {
        std::sort(parts.begin(), parts.end());
        parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
        m.set_ = std::move(parts);
      } else {
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_dot_nl(true);
        auto re = std::make_shared<RE2>(absl::StrCat("^(?:", AV(value), ")$"), opts);
        if (!re->ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("invalid regular expression \"", AV(value), "\": ", re->error()));
        }
        m.re_ = std::move(re);
      }
    }
  }
  return m;
}

Matcher Matcher::MustMake(MatchType type, std::string_view name, std::string_view value) {
  auto m = Make(type, name, value);
  if (!m.ok()) std::abort();
  return *std::move(m);
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch:
    case MatchType::kRegexNoMatch: {
      bool hit;
      if (match_all_) {
        hit = true;
      } else if (match_any_nonempty_) {
        hit = !v.empty();
      } else if (!set_.empty()) {
        hit = std::binary_search(set_.begin(), set_.end(), v);
      } else {
        hit = RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
      }
      return type_ == MatchType::kRegexMatch ? hit : !hit;
    }
  }
  return false;
}

std::string Matcher::ToString() const {
  return absl::StrCat(name_, AV(MatchTypeString(type_)), Quote(value_));
}

bool MatchesAll(const Matchers& ms, const Labels& labels) {
  for (const auto& m : ms) {
    if (!m.Matches(labels.Get(m.name()))) return false;
  }
  return true;
}

}  // namespace pharos
