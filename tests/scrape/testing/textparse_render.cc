#include "scrape/testing/textparse_render.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/float_format.h"
#include "common/strings.h"
#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse::testing {

std::vector<std::string> Render(Format format, std::string_view body) {
  std::vector<std::string> out;
  Parser p(format, body);
  std::string scratch;
  for (;;) {
    Entry e = p.Next();
    switch (e) {
      case Entry::kEof:
        out.push_back("eof");
        return out;
      case Entry::kError:
        out.push_back(absl::StrCat("error ", p.Err().message()));
        return out;
      case Entry::kType:
        out.push_back(absl::StrCat("type ", AV(p.FamilyName()), " ", AV(MetricTypeName(p.Type()))));
        break;
      case Entry::kHelp:
        out.push_back(absl::StrCat("help ", AV(p.FamilyName()), " ", AV(p.Help(&scratch))));
        break;
      case Entry::kUnit:
        out.push_back(absl::StrCat("unit ", AV(p.FamilyName()), " ", AV(p.Unit())));
        break;
      case Entry::kComment:
        out.push_back(absl::StrCat("comment ", AV(p.Comment())));
        break;
      case Entry::kSeries: {
        Labels labels;
        p.Labels(&labels);
        std::string line = absl::StrCat("series ", AV(p.Series()), " -> ", labels.ToString(), " ",
                                        FormatFloatGo(p.Value()));
        if (p.HasTimestamp()) absl::StrAppend(&line, " @", p.Timestamp());
        if (p.HasExemplar()) {
          Labels ex;
          p.ExemplarLabels(&ex);
          absl::StrAppend(&line, " # ", ex.ToString(), " ", FormatFloatGo(p.ExemplarValue()));
          if (p.ExemplarHasTimestamp()) absl::StrAppend(&line, " @", p.ExemplarTimestamp());
        }
        out.push_back(std::move(line));
        break;
      }
    }
  }
}

std::string Outcome(Format format, std::string_view body) { return Render(format, body).back(); }

void ExpectRenders(Format format, const std::vector<RenderCase>& cases) {
  for (const RenderCase& c : cases) {
    EXPECT_THAT(Render(format, c.body), ::testing::ElementsAreArray(c.want)) << c.name;
  }
}

}  // namespace pharos::scrape::textparse::testing
