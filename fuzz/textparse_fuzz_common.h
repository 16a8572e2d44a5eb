// Shared body of the textparse fuzz targets: parse a whole input with every
// accessor a scrape uses, and trap when an invariant of the Parser breaks.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse::fuzzing {

inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

inline bool Within(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

inline void ParseEverything(Format format, const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Parser p(format, body);
  std::vector<LabelView> views;
  std::string scratch;
  Labels labels;
  for (size_t entries = 0;; ++entries) {
    Check(entries <= size + 1);  // every entry consumes input
    Entry e = p.Next();
    if (e == Entry::kEof) {
      Check(p.Err().ok());
      Check(p.Next() == Entry::kEof);
      return;
    }
    if (e == Entry::kError) {
      Check(!p.Err().ok());
      Check(p.Err().message().substr(0, 5) == "line ");
      Check(p.Next() == Entry::kError);
      return;
    }
    switch (e) {
      case Entry::kSeries:
        Check(Within(p.Series(), body) && !p.Series().empty());
        Check(p.Series().substr(0, p.MetricName().size()) == p.MetricName());
        p.LabelViews(&views, &scratch);
        Check(views.size() == p.NumLabels() + 1);
        p.Labels(&labels);
        Check(labels.size() == p.NumLabels() + 1);
        Check(labels.MetricName() == p.MetricName());
        if (p.HasExemplar()) p.ExemplarLabels(&labels);
        break;
      case Entry::kHelp:
        Check(Within(p.FamilyName(), body));
        p.Help(&scratch);
        break;
      case Entry::kType:
      case Entry::kUnit:
        Check(Within(p.FamilyName(), body));
        break;
      case Entry::kComment:
        Check(Within(p.Comment(), body));
        break;
      default:
        break;
    }
  }
}

// Parses twice, the second time with a known-series hook that accepts every
// series text the first pass returned: the entries, values, labels and the
// final status must not change (SetKnownSeries only skips work, whether a
// line is found by its prefix or by its skimmed series text).
inline void KnownSeriesAgree(Format format, const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  struct Seen {
    Entry e;
    std::string series;
    Labels labels;
    uint64_t line;
  };
  std::vector<Seen> first;
  std::vector<std::string> known;
  std::string final_err;
  {
    Parser p(format, body);
    for (;;) {
      Entry e = p.Next();
      if (e == Entry::kEof || e == Entry::kError) {
        final_err = std::string(p.Err().message());
        first.push_back(Seen{e, "", Labels(), p.Line()});
        break;
      }
      Seen s{e, "", Labels(), p.Line()};
      if (e == Entry::kSeries) {
        s.series = std::string(p.Series());
        p.Labels(&s.labels);
        known.push_back(s.series);
      }
      first.push_back(std::move(s));
    }
  }
  struct Hook {
    const std::vector<std::string>* known;
    static bool Fn(void* ctx, std::string_view series) {
      for (const auto& k : *static_cast<Hook*>(ctx)->known) {
        if (k == series) return true;
      }
      return false;
    }
    // Known texts with labels on one line, as a prefix of the line.
    static size_t Prefix(void* ctx, const char* line, const char* end) {
      std::string_view rest(line, static_cast<size_t>(end - line));
      for (const auto& k : *static_cast<Hook*>(ctx)->known) {
        if (!k.empty() && k.back() == '}' && k.find('\n') == std::string::npos && rest.substr(0, k.size()) == k) {
          return k.size();
        }
      }
      return 0;
    }
  } hook{&known};
  Parser p(format, body);
  p.SetKnownSeries(Parser::KnownSeries{&Hook::Prefix, &Hook::Fn, &hook});
  Labels labels;
  for (const Seen& want : first) {
    Entry e = p.Next();
    Check(e == want.e);
    Check(p.Line() == want.line);
    if (e == Entry::kEof || e == Entry::kError) {
      Check(std::string(p.Err().message()) == final_err);
      return;
    }
    if (e == Entry::kSeries) {
      Check(p.Series() == want.series);
      p.Labels(&labels);
      Check(labels == want.labels);
    }
  }
}

}  // namespace pharos::scrape::textparse::fuzzing
