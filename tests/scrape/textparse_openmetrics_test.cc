// OpenMetrics 1.0 text: the syntax, # EOF, timestamps in seconds, exemplars,
// and the structural rules Pharos enforces (docs/exposition.md).
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scrape/testing/textparse_render.h"
#include "scrape/textparse/parser.h"

namespace pharos::scrape::textparse {
namespace {

using testing::Outcome;
using testing::Render;

void RunCases(const std::vector<testing::RenderCase>& cases) {
  testing::ExpectRenders(Format::kOpenMetrics, cases);
}

// For the cases that only differ in their outcome.
struct OutcomeCase {
  const char* name;
  std::string body;
  std::string want;
};

void RunOutcomes(const std::vector<OutcomeCase>& cases) {
  for (const OutcomeCase& c : cases) {
    EXPECT_EQ(Outcome(Format::kOpenMetrics, c.body), c.want) << c.name;
  }
}

TEST(OpenMetricsParser, EofHandling) {
  RunOutcomes({
      {"eof with newline", "a 1\n# EOF\n", "eof"},
      {"eof without newline", "a 1\n# EOF", "eof"},
      {"only eof", "# EOF\n", "eof"},
      {"empty body", "",
       "error line 1, column 1: unexpected end of input: OpenMetrics text must end with \"# EOF\""},
      {"missing eof", "a 1\n",
       "error line 2, column 1: unexpected end of input: OpenMetrics text must end with \"# EOF\""},
      {"blank line after eof", "# EOF\n\n",
       "error line 2, column 1: unexpected data after \"# EOF\", got end of line"},
      {"blank after eof", "# EOF ", "error line 1, column 6: unexpected data after \"# EOF\", got ' '"},
      {"text after eof", "# EOF\na 1\n",
       "error line 2, column 1: unexpected data after \"# EOF\", got 'a'"},
      {"missing newline before eof", "a 1# EOF\n", "error line 1, column 3: invalid value \"1#\""},
  });
}

TEST(OpenMetricsParser, SamplesAndTimestamps) {
  RunCases({
      {"labels and timestamps in seconds",
       "a{b=\"c\"} 1 1.5\na{b=\"d\"} 2 -1.25\na{b=\"e\"} 3 1e3\n# EOF\n",
       {"series a{b=\"c\"} -> a{b=\"c\"} 1 @1500", "series a{b=\"d\"} -> a{b=\"d\"} 2 @-1250",
        "series a{b=\"e\"} -> a{b=\"e\"} 3 @1000000", "eof"}},
      {"timestamps truncate to milliseconds", "a 1 1.0019\n# EOF\n",
       {"series a -> a 1 @1001", "eof"}},
      {"timestamps beyond int64 milliseconds saturate", "a 1 12345678901234567890.5\n# EOF\n",
       {"series a -> a 1 @9223372036854775807", "eof"}},
      {"empty braces", "a{} 1\n# EOF\n", {"series a{} -> a 1", "eof"}},
      {"special values", "a +Inf\nb -Inf\nc NaN\n# EOF\n",
       {"series a -> a +Inf", "series b -> b -Inf", "series c -> c NaN", "eof"}},
  });
  RunOutcomes({
      {"NaN timestamp", "a 1 NaN\n# EOF\n", "error line 1, column 5: invalid timestamp \"NaN\""},
      {"Inf timestamp", "a 1 +Inf\n# EOF\n", "error line 1, column 5: invalid timestamp \"+Inf\""},
  });
}

TEST(OpenMetricsParser, WhitespaceRules) {
  RunOutcomes({
      {"blank line", "a 1\n\n# EOF\n",
       "error line 2, column 1: blank line (not allowed in OpenMetrics)"},
      {"leading blank", " a 1\n# EOF\n",
       "error line 1, column 1: expected a metric name or '#', got ' '"},
      {"two blanks before the value", "a  1\n# EOF\n",
       "error line 1, column 3: expected value, got ' '"},
      {"tab before the value", "a\t1\n# EOF\n",
       "error line 1, column 2: expected ' ' and a value after the metric, got byte 0x09"},
      {"trailing blank", "a 1 \n# EOF\n", "error line 1, column 5: expected timestamp, got end of line"},
      {"blank inside braces", "a{b=\"c\", d=\"e\"} 1\n# EOF\n",
       "error line 1, column 9: expected label name, got ' '"},
      {"trailing comma", "a{b=\"c\",} 1\n# EOF\n",
       "error line 1, column 9: expected label name, got '}'"},
      {"missing comma", "a{b=\"c\"d=\"e\"} 1\n# EOF\n",
       "error line 1, column 8: expected ',' or '}' after label value, got 'd'"},
      {"CRLF", "a 1\r\n# EOF\n", "error line 1, column 3: invalid value \"1\\r\""},
      {"no blank before the value", "a{b=\"c\"}1\n# EOF\n",
       "error line 1, column 9: expected ' ' and a value after the metric, got '1'"},
  });
}

TEST(OpenMetricsParser, MetadataAndEscaping) {
  RunCases({
      {"type unit help", "# TYPE a_seconds counter\n# UNIT a_seconds seconds\n# HELP a_seconds x\\\"y\\\\z\\nw\n"
       "a_seconds_total 1\n# EOF\n",
       {"type a_seconds counter", "unit a_seconds seconds", "help a_seconds x\"y\\z\nw",
        "series a_seconds_total -> a_seconds_total 1", "eof"}},
      {"all types",
       "# TYPE a gauge\n# TYPE b histogram\n# TYPE c gaugehistogram\n# TYPE d summary\n"
       "# TYPE e info\n# TYPE f stateset\n# TYPE g unknown\n# EOF\n",
       {"type a gauge", "type b histogram", "type c gaugehistogram", "type d summary",
        "type e info", "type f stateset", "type g unknown", "eof"}},
      {"empty help and unit", "# HELP a \n# UNIT a \n# EOF\n", {"help a ", "unit a ", "eof"}},
      {"label escapes", "a{b=\"x\\\"y\\\\z\\nw\\q\"} 1\n# EOF\n",
       {"series a{b=\"x\\\"y\\\\z\\nw\\q\"} -> a{b=\"x\\\"y\\\\z\\nw\\\\q\"} 1", "eof"}},
      {"hash and braces inside values", "a{b=\"} # {x=\\\"1\\\"} 2\"} 1\n# EOF\n",
       {"series a{b=\"} # {x=\\\"1\\\"} 2\"} -> a{b=\"} # {x=\\\"1\\\"} 2\"} 1", "eof"}},
      {"NUL in help", std::string("# HELP a x\0y\n# EOF\n", 19), {std::string("help a x\0y", 10), "eof"}},
  });
  RunOutcomes({
      {"comment", "# hello\n# EOF\n",
       "error line 1, column 3: expected HELP, TYPE, UNIT or EOF after \"# \""},
      {"hash without blank", "#HELP a x\n# EOF\n", "error line 1, column 2: expected ' ' after '#', got 'H'"},
      {"untyped is not an OpenMetrics type", "# TYPE a untyped\n# EOF\n",
       "error line 1, column 10: invalid metric type \"untyped\""},
      {"unit not a suffix", "# UNIT a_seconds bytes\n# EOF\n",
       "error line 1, column 18: unit \"bytes\" is not a suffix of metric name \"a_seconds\" after '_'"},
      {"unit without underscore", "# UNIT aseconds seconds\n# EOF\n",
       "error line 1, column 17: unit \"seconds\" is not a suffix of metric name \"aseconds\" after '_'"},
      {"raw newline in a label value", "a{b=\"x\ny\"} 1\n# EOF\n",
       "error line 1, column 5: unterminated value of label \"b\""},
      {"invalid UTF-8 in help", "# HELP a \xed\xa0\x80\n# EOF\n",
       "error line 1, column 10: HELP text is not valid UTF-8"},
      {"duplicate label", "a{b=\"1\",b=\"1\"} 1\n# EOF\n",
       "error line 1, column 9: duplicate label name \"b\""},
  });
}

TEST(OpenMetricsParser, Exemplars) {
  RunCases({
      {"counter exemplar with timestamp",
       "# TYPE a counter\na_total 1 2 # {trace_id=\"x\"} 0.5 3.25\n# EOF\n",
       {"type a counter", "series a_total -> a_total 1 @2000 # {trace_id=\"x\"} 0.5 @3250", "eof"}},
      {"bucket exemplar without timestamps",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1 # {} 7\n# EOF\n",
       {"type h histogram", "series h_bucket{le=\"+Inf\"} -> h_bucket{le=\"+Inf\"} 1 # {} 7", "eof"}},
      {"128 characters", "# TYPE a counter\na_total 1 # {a=\"" + std::string(127, 'x') + "\"} 1\n# EOF\n",
       {"type a counter",
        "series a_total -> a_total 1 # {a=\"" + std::string(127, 'x') + "\"} 1", "eof"}},
  });
  RunOutcomes({
      {"129 characters", "# TYPE a counter\na_total 1 # {a=\"" + std::string(128, 'x') + "\"} 1\n# EOF\n",
       "error line 2, column 11: exemplar labels have 129 characters (at most 128 are allowed)"},
      {"exemplar on a gauge", "# TYPE a gauge\na 1 # {} 1\n# EOF\n",
       "error line 2, column 1: exemplar on \"a\" of gauge family \"a\" (exemplars are allowed only "
       "on counter _total and histogram _bucket samples)"},
      {"exemplar without labels", "# TYPE a counter\na_total 1 # 1\n# EOF\n",
       "error line 2, column 12: expected \"# {\" to start an exemplar, got ' '"},
      {"exemplar with NaN timestamp", "# TYPE a counter\na_total 1 # {} 1 NaN\n# EOF\n",
       "error line 2, column 18: invalid exemplar timestamp \"NaN\""},
      {"duplicate exemplar label", "# TYPE a counter\na_total 1 # {x=\"1\",x=\"2\"} 1\n# EOF\n",
       "error line 2, column 20: duplicate label name \"x\""},
  });
}

TEST(OpenMetricsParser, HistogramsSummariesAndCreated) {
  RunCases({
      {"histogram",
       "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 3\n"
       "h_created 1.5e9\n# EOF\n",
       {"type h histogram", "series h_bucket{le=\"1\"} -> h_bucket{le=\"1\"} 1",
        "series h_bucket{le=\"+Inf\"} -> h_bucket{le=\"+Inf\"} 2", "series h_count -> h_count 2",
        "series h_sum -> h_sum 3", "series h_created -> h_created 1500000000", "eof"}},
      {"counter with created", "# TYPE c counter\nc_total{x=\"1\"} 3\nc_created{x=\"1\"} 1e9\n# EOF\n",
       {"type c counter", "series c_total{x=\"1\"} -> c_total{x=\"1\"} 3",
        "series c_created{x=\"1\"} -> c_created{x=\"1\"} 1000000000", "eof"}},
      {"summary",
       "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns{quantile=\"1\"} 2\ns_count 4\ns_sum 5\n# EOF\n",
       {"type s summary", "series s{quantile=\"0.5\"} -> s{quantile=\"0.5\"} 1",
        "series s{quantile=\"1\"} -> s{quantile=\"1\"} 2", "series s_count -> s_count 4",
        "series s_sum -> s_sum 5", "eof"}},
      {"metric points with timestamps",
       "# TYPE s summary\ns_count{a=\"b\"} 0 1\ns_sum{a=\"b\"} 0 1\ns_count{a=\"b\"} 1 2\n"
       "s_sum{a=\"b\"} 1 2\n# EOF\n",
       {"type s summary", "series s_count{a=\"b\"} -> s_count{a=\"b\"} 0 @1000",
        "series s_sum{a=\"b\"} -> s_sum{a=\"b\"} 0 @1000",
        "series s_count{a=\"b\"} -> s_count{a=\"b\"} 1 @2000",
        "series s_sum{a=\"b\"} -> s_sum{a=\"b\"} 1 @2000", "eof"}},
  });
  RunOutcomes({
      {"no +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\n# EOF\n",
       "error line 3, column 1: histogram metric \"h_bucket{le=\\\"1\\\"}\" (from line 2) has no "
       "bucket with le=\"+Inf\""},
      {"buckets out of order", "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n# EOF\n",
       "error line 3, column 1: bucket le=\"1\" of \"h_bucket{le=\\\"1\\\"}\" follows le=\"2\" "
       "(buckets must be in increasing order of le)"},
      {"bucket without le", "# TYPE h histogram\nh_bucket 1\n# EOF\n",
       "error line 2, column 1: histogram bucket \"h_bucket\" has no \"le\" label"},
      {"quantile out of range", "# TYPE s summary\ns{quantile=\"2\"} 1\n# EOF\n",
       "error line 2, column 1: invalid quantile=\"2\" in \"s{quantile=\\\"2\\\"}\" (a quantile is a "
       "number from 0 to 1)"},
      {"interleaved metrics", "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 2\n# EOF\n",
       "error line 4, column 1: sample \"a{x=\\\"1\\\"}\" belongs to a metric of family \"a\" whose "
       "samples ended earlier (the samples of a metric must not be interleaved with others)"},
      {"escapes do not make a new metric", "# TYPE a gauge\na{x=\"\\\\z\"} 1\na{x=\"\\z\"} 2\n# EOF\n",
       "error line 3, column 1: sample \"a{x=\\\"\\\\z\\\"}\" repeats without timestamps (more "
       "than one point of a metric needs increasing timestamps)"},
      {"label order does not make a new metric", "# TYPE a gauge\na{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\n# EOF\n",
       "error line 3, column 1: sample \"a{y=\\\"2\\\",x=\\\"1\\\"}\" repeats without timestamps "
       "(more than one point of a metric needs increasing timestamps)"},
  });
}

TEST(OpenMetricsParser, FamilyRules) {
  RunOutcomes({
      {"interleaved families", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n",
       "error line 5, column 1: metric family \"a\" appears again after other families (families "
       "must not be interleaved)"},
      {"metadata after samples", "a 1\n# HELP a x\n# EOF\n",
       "error line 2, column 1: metadata for metric family \"a\" after its samples"},
      {"repeated metadata", "# HELP a x\n# TYPE a gauge\n# HELP a y\n# EOF\n",
       "error line 3, column 1: second HELP line for metric family \"a\""},
      {"sample name clash", "# TYPE a counter\na_total 1\n# TYPE a_created gauge\n# EOF\n",
       "error line 3, column 1: metric family \"a_created\" clashes with the samples of counter "
       "family \"a\""},
      {"sample of the wrong kind", "# TYPE a info\na 1\n# EOF\n",
       "error line 2, column 1: sample \"a\" does not fit info family \"a\" (its sample names are "
       "a_info)"},
      {"unit on info", "# TYPE a_u info\n# UNIT a_u u\n# EOF\n",
       "error line 2, column 1: info family \"a_u\" must not have a unit"},
      {"a sample that cannot be in the family starts a new one",
       "# TYPE a counter\na_total 1\na_count 2\n# EOF\n", "eof"},
  });
}

TEST(OpenMetricsParser, ValueRulesAreNotEnforced) {
  // Prometheus stores these; failing the whole scrape would lose the target.
  RunOutcomes({
      {"NaN counter", "# TYPE a counter\na_total NaN\n# EOF\n", "eof"},
      {"negative bucket count", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} -1\n# EOF\n", "eof"},
      {"count differs from +Inf bucket",
       "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 2\nh_sum 1\n# EOF\n", "eof"},
      {"stateset value 2", "# TYPE s stateset\ns{s=\"x\"} 2\n# EOF\n", "eof"},
  });
}

TEST(OpenMetricsParser, ErrorIsReportedOnceAndStays) {
  Parser p(Format::kOpenMetrics, "a 1\nb x\n# EOF\n");
  EXPECT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Err().message(), "line 2, column 3: invalid value \"x\"");
  EXPECT_EQ(p.Next(), Entry::kError);
}

}  // namespace
}  // namespace pharos::scrape::textparse
