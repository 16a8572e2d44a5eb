// The Prometheus text format 0.0.4 as Prometheus 2.53 reads it.
#include <cstring>
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
  testing::ExpectRenders(Format::kPrometheusText, cases);
}

TEST(TextParser, SamplesLabelsAndTimestamps) {
  RunCases({
      {"bare", "a 1\n", {"series a -> a 1", "eof"}},
      {"no final newline", "a 1", {"series a -> a 1", "eof"}},
      {"labels", "a{b=\"c\",d=\"e\"} 2.5 123\n",
       {"series a{b=\"c\",d=\"e\"} -> a{b=\"c\", d=\"e\"} 2.5 @123", "eof"}},
      {"labels sorted on output", "a{z=\"1\",m=\"2\"} 1\n",
       {"series a{z=\"1\",m=\"2\"} -> a{m=\"2\", z=\"1\"} 1", "eof"}},
      {"empty braces", "a{} 1\n", {"series a{} -> a 1", "eof"}},
      {"empty value kept", "a{b=\"\"} 1\n", {"series a{b=\"\"} -> a{b=\"\"} 1", "eof"}},
      {"colons and digits in names", "a:b_1{c_2=\"x\"} 1\n",
       {"series a:b_1{c_2=\"x\"} -> a:b_1{c_2=\"x\"} 1", "eof"}},
      {"max timestamp", "a 1 9223372036854775807\n", {"series a -> a 1 @9223372036854775807", "eof"}},
      {"timestamp zero", "a 1 0\n", {"series a -> a 1 @0", "eof"}},
      {"leading zeros in timestamp", "a 1 000123\n", {"series a -> a 1 @123", "eof"}},
  });
}

TEST(TextParser, WhitespaceRules) {
  RunCases({
      {"blanks around tokens", "  a  {  b = \"c\" ,d=\"e\" , }  1 \t 7 \t\n",
       {"series a  {  b = \"c\" ,d=\"e\" , } -> a{b=\"c\", d=\"e\"} 1 @7", "eof"}},
      {"blank lines", "\n\n \t \na 1\n\n", {"series a -> a 1", "eof"}},
      {"missing comma accepted as Prometheus does", "a{b=\"c\" d=\"e\"} 1\n",
       {"series a{b=\"c\" d=\"e\"} -> a{b=\"c\", d=\"e\"} 1", "eof"}},
      {"trailing comma", "a{b=\"c\",} 1\n", {"series a{b=\"c\",} -> a{b=\"c\"} 1", "eof"}},
      {"value right after brace", "a{b=\"c\"}1\n", {"series a{b=\"c\"} -> a{b=\"c\"} 1", "eof"}},
      {"signed value right after name", "a+1\n", {"series a -> a 1", "eof"}},
      {"CRLF is not a line end", "a 1\r\n", {"error line 1, column 3: invalid value \"1\\r\""}},
      {"double comma", "a{b=\"c\",,d=\"e\"} 1\n",
       {"error line 1, column 9: expected label name or '}', got ','"}},
      {"newline inside braces", "a{b=\"c\",\nd=\"e\"} 1\n",
       {"error line 1, column 9: expected label name or '}', got end of line"}},
  });
}

TEST(TextParser, Escaping) {
  RunCases({
      {"label escapes", "a{b=\"x\\\\y\\\"z\\nw\"} 1\n",
       {"series a{b=\"x\\\\y\\\"z\\nw\"} -> a{b=\"x\\\\y\\\"z\\nw\"} 1", "eof"}},
      // An unknown escape keeps its backslash: the value is `\q`.
      {"unknown escape kept", "a{b=\"\\q\"} 1\n", {"series a{b=\"\\q\"} -> a{b=\"\\\\q\"} 1", "eof"}},
      {"raw newline inside a value", "a{b=\"x\ny\"} 1\nc 2\n",
       {"series a{b=\"x\ny\"} -> a{b=\"x\\ny\"} 1", "series c -> c 2", "eof"}},
      {"escaped quote does not end the value", "a{b=\"}\\\" 2\"} 1\n",
       {"series a{b=\"}\\\" 2\"} -> a{b=\"}\\\" 2\"} 1", "eof"}},
      {"backslash before newline", "a{b=\"x\\\ny\"} 1\n",
       {"error line 1, column 8: invalid escape in value of label \"b\", got end of line"}},
      {"help escapes", "# HELP a x\\\\y\\nz\\\"q\n", {"help a x\\y\nz\\\"q", "eof"}},
      {"help without escapes", "# HELP a plain text \n", {"help a plain text ", "eof"}},
  });
}

TEST(TextParser, MetadataAndComments) {
  RunCases({
      {"type and help", "# HELP a The a.\n# TYPE a counter\na 1\n",
       {"help a The a.", "type a counter", "series a -> a 1", "eof"}},
      {"all types", "# TYPE a gauge\n# TYPE b histogram\n# TYPE c summary\n# TYPE d untyped\n",
       {"type a gauge", "type b histogram", "type c summary", "type d unknown", "eof"}},
      {"tab separators", "#\tHELP\ta\ttext\n", {"help a text", "eof"}},
      {"empty help", "# HELP a\n# HELP b   \n", {"help a ", "help b ", "eof"}},
      {"only the first blank is dropped", "# HELP a   x\n", {"help a   x", "eof"}},
      {"comment", "# just a comment\n#nospace\n", {"comment # just a comment", "comment #nospace", "eof"}},
      {"HELP without name is a comment", "# HELP\n# TYPEX a b\n",
       {"comment # HELP", "comment # TYPEX a b", "eof"}},
      {"# EOF is only a comment", "a 1\n# EOF\nb 2\n",
       {"series a -> a 1", "comment # EOF", "series b -> b 2", "eof"}},
      {"invalid type", "# TYPE a gaugehistogram\n",
       {"error line 1, column 10: invalid metric type \"gaugehistogram\" (expected counter, gauge, "
        "histogram, summary or untyped)"}},
      {"trailing blank after type", "# TYPE a counter \n",
       {"error line 1, column 10: invalid metric type \"counter \" (expected counter, gauge, "
        "histogram, summary or untyped)"}},
      {"missing type", "# TYPE a\n",
       {"error line 1, column 9: invalid metric type \"\" (expected counter, gauge, histogram, "
        "summary or untyped)"}},
      {"missing metric name", "# HELP 0a x\n",
       {"error line 1, column 8: expected metric name after HELP, got '0'"}},
      {"help not UTF-8", "# HELP a \xff\n", {"error line 1, column 10: HELP text is not valid UTF-8"}},
      {"comment need not be UTF-8", "# \xff\n", {"comment # \xff", "eof"}},
  });
}

TEST(TextParser, HistogramsAndSummaries) {
  RunCases({
      {"histogram",
       "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 3\nh_sum 1.5\nh_count 3\n",
       {"type h histogram", "series h_bucket{le=\"0.1\"} -> h_bucket{le=\"0.1\"} 1",
        "series h_bucket{le=\"+Inf\"} -> h_bucket{le=\"+Inf\"} 3", "series h_sum -> h_sum 1.5",
        "series h_count -> h_count 3", "eof"}},
      {"summary",
       "# TYPE s summary\ns{quantile=\"0.5\"} NaN\ns_sum 0\ns_count 0\ns_created 1.7e9\n",
       {"type s summary", "series s{quantile=\"0.5\"} -> s{quantile=\"0.5\"} NaN",
        "series s_sum -> s_sum 0", "series s_count -> s_count 0",
        "series s_created -> s_created 1700000000", "eof"}},
  });
}

TEST(TextParser, Values) {
  RunCases({
      {"special values", "a NaN\nb +Inf\nc -Inf\nd Inf\ne inf\nf infinity\ng nan\n",
       {"series a -> a NaN", "series b -> b +Inf", "series c -> c -Inf", "series d -> d +Inf",
        "series e -> e +Inf", "series f -> f +Inf", "series g -> g NaN", "eof"}},
      {"float forms", "a 1e3\nb .5\nc 5.\nd -0.25E-2\ne +7\nf 0001.50\n",
       {"series a -> a 1000", "series b -> b 0.5", "series c -> c 5", "series d -> d -0.0025",
        "series e -> e 7", "series f -> f 1.5", "eof"}},
      {"underflow is zero", "a 1e-400\n", {"series a -> a 0", "eof"}},
      {"overflow", "a 1e400\n", {"error line 1, column 3: invalid value \"1e400\""}},
      {"hex", "a 0x1p3\n", {"error line 1, column 3: invalid value \"0x1p3\""}},
      {"underscore", "a 1_000\n", {"error line 1, column 3: invalid value \"1_000\""}},
      {"signed NaN", "a -nan\n", {"error line 1, column 3: invalid value \"-nan\""}},
      {"missing value", "a\n", {"error line 1, column 2: expected value after metric, got end of line"}},
      {"missing value after labels", "a{b=\"c\"} \n",
       {"error line 1, column 10: expected value after metric, got end of line"}},
  });
}

TEST(TextParser, NormalNaNIsNotTheStalenessMarker) {
  Parser p(Format::kPrometheusText, "a NaN\n");
  ASSERT_EQ(p.Next(), Entry::kSeries);
  double v = p.Value();
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  EXPECT_EQ(bits, 0x7ff8000000000001ULL);
}

TEST(TextParser, Timestamps) {
  RunCases({
      {"negative", "a 1 -5\n",
       {"error line 1, column 5: expected timestamp or end of line after value, got '-'"}},
      {"fraction", "a 1 1.5\n",
       {"error line 1, column 6: expected end of line after timestamp, got '.'"}},
      {"overflow", "a 1 9223372036854775808\n",
       {"error line 1, column 5: timestamp 9223372036854775808 is out of range"}},
      {"two timestamps", "a 1 2 3\n",
       {"error line 1, column 7: expected end of line after timestamp, got '3'"}},
  });
}

TEST(TextParser, NulBytes) {
  RunCases({
      // Prometheus' lexer takes a NUL where a line starts as the end of input.
      {"NUL at line start ends the body", std::string("a 1\n\0garbage{", 13),
       {"series a -> a 1", "eof"}},
      {"NUL inside a label value", std::string("a{b=\"x\0y\"} 1\n", 14),
       {std::string("series a{b=\"x\0y\"} -> a{b=\"x\0y\"} 1", 33), "eof"}},
      {"NUL in help", std::string("# HELP a x\0y\n", 13), {std::string("help a x\0y", 10), "eof"}},
      {"NUL after a value", std::string("a 1\0\n", 5),
       {"error line 1, column 4: expected timestamp or end of line after value, got byte 0x00"}},
  });
}

TEST(TextParser, InvalidLabels) {
  RunCases({
      {"invalid UTF-8 value", "a{b=\"\xc3\x28\"} 1\n",
       {"error line 1, column 6: invalid UTF-8 in value of label \"b\""}},
      {"valid UTF-8 value", "a{b=\"\xe2\x98\x83\"} 1\n",
       {"series a{b=\"\xe2\x98\x83\"} -> a{b=\"\xe2\x98\x83\"} 1", "eof"}},
      {"duplicate label", "a{b=\"1\",c=\"2\",b=\"3\"} 1\n",
       {"error line 1, column 15: duplicate label name \"b\""}},
      {"name label inside braces", "a{__name__=\"b\"} 1\n",
       {"error line 1, column 3: label \"__name__\" repeats the metric name"}},
      {"no metric name", "{a=\"b\"} 1\n",
       {"error line 1, column 1: expected a metric name or '#', got '{'"}},
      {"label name starting with a digit", "a{1=\"b\"} 1\n",
       {"error line 1, column 3: expected label name or '}', got '1'"}},
      {"unquoted value", "a{b=c} 1\n",
       {"error line 1, column 5: expected '\"' to start the value of label \"b\", got 'c'"}},
      {"unterminated value", "a{b=\"xyz",
       {"error line 1, column 5: unterminated value of label \"b\""}},
  });
}

TEST(TextParser, ErrorPositionsCountLinesAndColumns) {
  EXPECT_EQ(Outcome(Format::kPrometheusText,
                    "# HELP up Whether the target is up.\n# TYPE up gauge\nup{instance=\"a\",job 1\n"),
            "error line 3, column 21: expected '=' after label name \"job\", got '1'");
  // A label value spanning lines moves the line count on.
  EXPECT_EQ(Outcome(Format::kPrometheusText, "a{b=\"1\n2\n3\"} 1\nc x\n"),
            "error line 4, column 3: invalid value \"x\"");
  EXPECT_EQ(Outcome(Format::kPrometheusText, "a{b=\"1\n2\n3\" c 1\n"),
            "error line 3, column 6: expected '=' after label name \"c\", got '1'");
}

TEST(TextParser, LineReportsWhereTheEntryStarts) {
  Parser p(Format::kPrometheusText, "\n# HELP a x\n\na{b=\"1\n2\"} 1\nc 2\n");
  ASSERT_EQ(p.Next(), Entry::kHelp);
  EXPECT_EQ(p.Line(), 2u);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Line(), 4u);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Line(), 6u);
  EXPECT_EQ(p.Next(), Entry::kEof);
  EXPECT_EQ(p.Next(), Entry::kEof);
}

TEST(TextParser, ErrorIsFinal) {
  Parser p(Format::kPrometheusText, "a x\nb 1\n");
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Err().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TextParser, LabelLimit) {
  ParserLimits limits;
  limits.max_labels_per_series = 2;
  Parser ok(Format::kPrometheusText, "a{b=\"1\",c=\"2\"} 1\n", limits);
  EXPECT_EQ(ok.Next(), Entry::kSeries);
  Parser p(Format::kPrometheusText, "a{b=\"1\",c=\"2\",d=\"3\"} 1\n", limits);
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Err().message(), "line 1, column 15: more than 2 labels");
}

TEST(TextParser, LabelViewsPointIntoTheBodyUnlessEscaped) {
  std::string body = "a{z=\"plain\",b=\"x\\ny\",c=\"q\\\\\"} 1\n";
  Parser p(Format::kPrometheusText, body);
  ASSERT_EQ(p.Next(), Entry::kSeries);
  std::vector<LabelView> views;
  std::string scratch;
  p.LabelViews(&views, &scratch);
  ASSERT_EQ(views.size(), 4u);
  EXPECT_EQ(views[0].name, "__name__");
  EXPECT_EQ(views[0].value, "a");
  EXPECT_EQ(views[1].name, "z");
  EXPECT_EQ(views[1].value, "plain");
  EXPECT_GE(views[1].value.data(), body.data());
  EXPECT_LT(views[1].value.data(), body.data() + body.size());
  EXPECT_EQ(views[2].value, "x\ny");
  EXPECT_EQ(views[3].value, "q\\");
  EXPECT_EQ(p.NumLabels(), 3u);
  EXPECT_EQ(p.MetricName(), "a");
}

TEST(TextParser, IdenticalLinesGiveIdenticalSeriesBytes) {
  Parser p(Format::kPrometheusText, "a{b=\"1\"} 1 10\na{b=\"1\"} 2 20\n");
  ASSERT_EQ(p.Next(), Entry::kSeries);
  std::string first(p.Series());
  ASSERT_EQ(p.Next(), Entry::kSeries);
  EXPECT_EQ(p.Series(), first);
  EXPECT_EQ(p.Value(), 2);
}

}  // namespace
}  // namespace pharos::scrape::textparse
