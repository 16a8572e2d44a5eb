#include "rules/unit_test.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/duration.h"
#include "common/float_format.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "config/yaml_map.h"
#include "config/yaml_node.h"
#include "config/yaml_scalar.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "rules/group.h"
#include "rules/rule_file.h"
#include "storage/memory_storage.h"

namespace pharos::rules {
namespace {

using config::YamlNode;

constexpr size_t kMaxSeriesSamples = 1'000'000;

absl::StatusOr<double> ParseNumber(std::string_view s) {
  if (s == "Inf" || s == "+Inf" || s == "inf") return INFINITY;
  if (s == "-Inf" || s == "-inf") return -INFINITY;
  if (s == "NaN") return NAN;
  if (s == "stale") return storage::StaleNaN();
  double d;
  if (!absl::SimpleAtod(AV(s), &d)) return absl::InvalidArgumentError(absl::StrCat("invalid number \"", AV(s), "\""));
  return d;
}

struct ExpAlert {
  std::vector<std::pair<std::string, std::string>> labels, annotations;
};
struct AlertTest {
  int64_t eval_ms = 0;
  std::string alertname;
  std::vector<ExpAlert> exp;
};
struct ExpSample {
  std::string labels;
  double value = 0;
  bool has_histogram = false;
};
struct ExprTest {
  std::string expr;
  int64_t eval_ms = 0;
  std::vector<ExpSample> exp;
};
struct InputSeries {
  std::string series, values;
};
struct TestGroup {
  std::string name;
  int64_t interval_ms = 0;
  std::vector<InputSeries> input;
  std::vector<std::pair<std::string, std::string>> external_labels;
  std::string external_url;
  std::vector<AlertTest> alert_tests;
  std::vector<ExprTest> expr_tests;
};
struct TestFile {
  std::vector<std::string> rule_files;
  int64_t eval_interval_ms = 60000;
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

absl::Status ReadTestFile(const YamlNode& root, TestFile* f) {
  return config::ReadMap(
      root, "unittest.unitTestFile",
      {{"rule_files", config::Into(&f->rule_files)},
       {"evaluation_interval", config::IntoDuration(&f->eval_interval_ms)},
       {"group_eval_order", config::Into(&f->group_eval_order)},
       {"tests", [&](const YamlNode& v) -> absl::Status {
          auto items = v.Items();
          if (!items.ok()) return items.status();
          for (const YamlNode& tn : *items) {
            TestGroup tg;
            absl::Status s = config::ReadMap(
                tn, "unittest.testGroup",
                {{"name", config::Into(&tg.name)},
                 {"interval", config::IntoDuration(&tg.interval_ms)},
                 {"external_labels", config::Into(&tg.external_labels)},
                 {"external_url", config::Into(&tg.external_url)},
                 {"input_series", [&](const YamlNode& iv) -> absl::Status {
                    auto is = iv.Items();
                    if (!is.ok()) return is.status();
                    for (const YamlNode& in : *is) {
                      InputSeries x;
                      RETURN_IF_ERROR(config::ReadMap(in, "unittest.series",
                                                      {{"series", config::Into(&x.series)},
                                                       {"values", config::Into(&x.values)}}));
                      tg.input.push_back(std::move(x));
                    }
                    return absl::OkStatus();
                  }},
                 {"alert_rule_test", [&](const YamlNode& av) -> absl::Status {
                    auto as = av.Items();
                    if (!as.ok()) return as.status();
                    for (const YamlNode& an : *as) {
                      AlertTest at;
                      RETURN_IF_ERROR(config::ReadMap(
                          an, "unittest.alertTestCase",
                          {{"eval_time", config::IntoDuration(&at.eval_ms)},
                           {"alertname", config::Into(&at.alertname)},
                           {"exp_alerts", [&](const YamlNode& ev) -> absl::Status {
                              auto es = ev.Items();
                              if (!es.ok()) return es.status();
                              for (const YamlNode& en : *es) {
                                ExpAlert ea;
                                RETURN_IF_ERROR(config::ReadMap(en, "unittest.alert",
                                                                {{"exp_labels", config::Into(&ea.labels)},
                                                                 {"exp_annotations", config::Into(&ea.annotations)}}));
                                at.exp.push_back(std::move(ea));
                              }
                              return absl::OkStatus();
                            }}}));
                      tg.alert_tests.push_back(std::move(at));
                    }
                    return absl::OkStatus();
                  }},
                 {"promql_expr_test", [&](const YamlNode& pv) -> absl::Status {
                    auto ps = pv.Items();
                    if (!ps.ok()) return ps.status();
                    for (const YamlNode& pn : *ps) {
                      ExprTest et;
                      RETURN_IF_ERROR(config::ReadMap(
                          pn, "unittest.promqlTestCase",
                          {{"expr", config::Into(&et.expr)},
                           {"eval_time", config::IntoDuration(&et.eval_ms)},
                           {"exp_samples", [&](const YamlNode& sv) -> absl::Status {
                              auto ss = sv.Items();
                              if (!ss.ok()) return ss.status();
                              for (const YamlNode& sn : *ss) {
                                ExpSample es;
                                std::string hist;
                                RETURN_IF_ERROR(config::ReadMap(sn, "unittest.sample",
                                                                {{"labels", config::Into(&es.labels)},
                                                                 {"value", config::Into(&es.value)},
                                                                 {"histogram", config::Into(&hist)}}));
                                es.has_histogram = !hist.empty();
                                et.exp.push_back(std::move(es));
                              }
                              return absl::OkStatus();
                            }}}));
                      tg.expr_tests.push_back(std::move(et));
                    }
                    return absl::OkStatus();
                  }}});
            if (!s.ok()) return s;
            f->tests.push_back(std::move(tg));
          }
          return absl::OkStatus();
        }}});
}

absl::StatusOr<Labels> ParseSeriesLabels(std::string_view s) {
  auto sel = promql::ParseMetricSelector(s);
  if (!sel.ok()) return sel.status();
  std::vector<Label> ls;
  for (const Matcher& m : (*sel)->matchers) {
    if (m.type() != MatchType::kEqual)
      return absl::InvalidArgumentError(absl::StrCat("series \"", AV(s), "\": only = matchers are allowed"));
    ls.push_back(Label{m.name(), m.value()});
  }
  return Labels::FromUnsorted(std::move(ls));
}

std::string LabelsText(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::vector<Label> ls;
  for (const auto& [k, v] : kv) ls.push_back(Label{k, v});
  return Labels::FromUnsorted(std::move(ls)).ToString();
}

std::string AlertsText(const std::vector<std::pair<std::string, std::string>>& list) {
  // list of (labels, annotations) texts, sorted
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    absl::StrAppend(&out, "\n", i, ":\n  Labels:", list[i].first, "\n  Annotations:", list[i].second, "\n");
  }
  return out + "]";
}

std::string SamplesText(const std::vector<std::pair<Labels, double>>& s) {
  std::vector<std::string> parts;
  for (const auto& [l, v] : s) parts.push_back(absl::StrCat(l.ToString(), " ", FormatFloatGoG(v)));
  return absl::StrCat("[", absl::StrJoin(parts, "\n "), "]");
}

std::string FormatEval(int64_t ms) { return FormatDurationMs(ms); }

std::vector<std::string> RunGroup(const TestFile& file, const TestGroup& tg,
                                  const std::vector<RuleFile>& rule_files) {
  std::vector<std::string> errs;
  storage::MemoryStorage store;
  promql::Engine engine(promql::EngineOptions{.default_subquery_step_ms = file.eval_interval_ms});
  int64_t interval = tg.interval_ms > 0 ? tg.interval_ms : file.eval_interval_ms;
  // Input samples, merged and sorted by time.
  std::vector<std::pair<int64_t, std::pair<Labels, double>>> input;
  for (const auto& in : tg.input) {
    auto l = ParseSeriesLabels(in.series);
    if (!l.ok()) return {absl::StrCat("    ", l.status().message())};
    auto vs = ExpandSeriesValues(in.values, interval);
    if (!vs.ok()) return {absl::StrCat("    series \"", in.series, "\": ", vs.status().message())};
    for (const auto& s : *vs) input.push_back({s.t, {*l, s.v}});
  }
  std::stable_sort(input.begin(), input.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  std::map<std::string, std::string> ext;
  for (const auto& [k, v] : tg.external_labels) ext[k] = v;
  std::vector<std::unique_ptr<Group>> groups;
  for (const auto& rf : rule_files) {
    for (const auto& gn : rf.groups) {
      auto g = Group::Create(rf.filename, gn,
                             GroupOptions{.queryable = &store, .appendable = &store, .engine = &engine,
                                          .external_labels = ext, .external_url = tg.external_url,
                                          .default_interval_ms = file.eval_interval_ms, .restore = false});
      if (!g.ok()) return {absl::StrCat("    ", g.status().message())};
      groups.push_back(std::move(*g));
    }
  }
  std::map<std::string, int> order;
  for (size_t i = 0; i < file.group_eval_order.size(); ++i) order[file.group_eval_order[i]] = static_cast<int>(i);
  std::stable_sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
    auto ia = order.find(a->name()), ib = order.find(b->name());
    int va = ia == order.end() ? 1 << 30 : ia->second, vb = ib == order.end() ? 1 << 30 : ib->second;
    return va < vb;
  });

  int64_t maxt = 0;
  for (const auto& a : tg.alert_tests) maxt = std::max(maxt, a.eval_ms);
  for (const auto& e : tg.expr_tests) maxt = std::max(maxt, e.eval_ms);
  std::vector<AlertTest> alert_tests = tg.alert_tests;
  std::stable_sort(alert_tests.begin(), alert_tests.end(),
                   [](const AlertTest& a, const AlertTest& b) { return a.eval_ms < b.eval_ms; });
  size_t next_input = 0, next_alert = 0;
  int64_t step = file.eval_interval_ms;
  for (int64_t ts = 0; ts <= maxt; ts += step) {
    auto app = store.NewAppender();
    while (next_input < input.size() && input[next_input].first <= ts) {
      (void)app->Append(0, input[next_input].second.first, input[next_input].first, input[next_input].second.second);
      ++next_input;
    }
    if (auto c = app->Commit(); !c.ok()) return {absl::StrCat("    ", c.message())};
    for (auto& g : groups) {
      if (auto s = g->Eval(ts); !s.ok()) {
        errs.push_back(absl::StrCat("    group: ", g->name(), ", time: ", FormatEval(ts), ", err: ", s.message()));
      }
    }
    if (!errs.empty()) return errs;
    // Alert tests whose eval_time falls in [ts, ts + step).
    while (next_alert < alert_tests.size() && alert_tests[next_alert].eval_ms < ts + step) {
      const AlertTest& at = alert_tests[next_alert++];
      std::vector<std::pair<std::string, std::string>> got, exp;
      for (auto& g : groups) {
        for (const Alert& a : g->ActiveAlerts(at.alertname)) {
          if (a.state != AlertState::kFiring) continue;
          std::vector<std::pair<std::string, std::string>> ann = a.annotations;
          got.emplace_back(a.labels.ToString(), LabelsText(ann));
        }
      }
      for (const auto& e : at.exp) {
        auto l = e.labels;
        l.emplace_back("alertname", at.alertname);
        exp.emplace_back(LabelsText(l), LabelsText(e.annotations));
      }
      std::sort(got.begin(), got.end());
      std::sort(exp.begin(), exp.end());
      if (got != exp) {
        errs.push_back(absl::StrCat("    alertname: ", at.alertname, ", time: ", FormatEval(at.eval_ms),
                                    ", \n        exp:", AlertsText(exp), ", \n        got:", AlertsText(got)));
      }
    }
  }
  for (const auto& et : tg.expr_tests) {
    auto r = engine.InstantQuery(store, et.expr, et.eval_ms);
    if (!r.ok()) {
      errs.push_back(absl::StrCat("    expr: \"", et.expr, "\", time: ", FormatEval(et.eval_ms), ", err: ", r.status().message()));
      continue;
    }
    std::vector<std::pair<Labels, double>> got, exp;
    if (r->type == promql::ResultType::kScalar) {
      got.emplace_back(Labels{}, r->scalar.v);
    } else if (r->type == promql::ResultType::kVector) {
      for (const auto& s : r->series)
        if (!s.points.empty()) got.emplace_back(s.labels, s.points.back().v);
    } else {
      errs.push_back(absl::StrCat("    expr: \"", et.expr, "\", time: ", FormatEval(et.eval_ms),
                                  ", err: query result is not a vector or scalar"));
      continue;
    }
    bool bad = false;
    for (const auto& e : et.exp) {
      if (e.has_histogram) {
        errs.push_back(absl::StrCat("    expr: \"", et.expr, "\", time: ", FormatEval(et.eval_ms),
                                    ", err: native histogram samples are not supported"));
        bad = true;
        break;
      }
      Labels l;
      if (!e.labels.empty()) {
        auto pl = ParseSeriesLabels(e.labels);
        if (!pl.ok()) {
          errs.push_back(absl::StrCat("    expr: \"", et.expr, "\", time: ", FormatEval(et.eval_ms), ", err: ",
                                      pl.status().message()));
          bad = true;
          break;
        }
        l = *pl;
      }
      exp.emplace_back(std::move(l), e.value);
    }
    if (bad) continue;
    auto less = [](const auto& a, const auto& b) { return Labels::Compare(a.first, b.first) < 0; };
    std::sort(got.begin(), got.end(), less);
    std::sort(exp.begin(), exp.end(), less);
    bool same = got.size() == exp.size();
    for (size_t i = 0; same && i < got.size(); ++i)
      same = got[i].first == exp[i].first && got[i].second == exp[i].second;
    if (!same) {
      errs.push_back(absl::StrCat("    expr: \"", et.expr, "\", time: ", FormatEval(et.eval_ms),
                                  ",\n        exp: ", SamplesText(exp), "\n        got: ", SamplesText(got)));
    }
  }
  if (!errs.empty() && !tg.name.empty()) errs.insert(errs.begin(), absl::StrCat("    name: ", tg.name, ","));
  return errs;
}

}  // namespace

absl::StatusOr<std::vector<storage::Sample>> ExpandSeriesValues(std::string_view values, int64_t interval_ms) {
  std::vector<storage::Sample> out;
  int64_t k = 0;
  for (absl::string_view tok_a : absl::StrSplit(AV(values), ' ', absl::SkipWhitespace())) {
    std::string tok(tok_a.data(), tok_a.size());
    if (tok == "_") {
      ++k;
      continue;
    }
    size_t x = tok.find('x');
    if (x == std::string::npos) {
      ASSIGN_OR_RETURN(double v, ParseNumber(tok));
      out.push_back({k * interval_ms, v});
      ++k;
      continue;
    }
    std::string head = tok.substr(0, x), count_s = tok.substr(x + 1);
    int64_t n;
    if (!absl::SimpleAtoi(count_s, &n) || n < 0)
      return absl::InvalidArgumentError(absl::StrCat("invalid repetition \"", tok, "\""));
    if (n > static_cast<int64_t>(kMaxSeriesSamples) || k > static_cast<int64_t>(kMaxSeriesSamples) ||
        static_cast<size_t>(n) + out.size() > kMaxSeriesSamples)
      return absl::InvalidArgumentError(absl::StrCat("too many samples in \"", tok, "\""));
    if (head == "_") {
      k += n;
      continue;
    }
    // head is "a", "a+b" or "a-b" (a may be negative).
    size_t op = std::string::npos;
    for (size_t i = 1; i < head.size(); ++i) {
      if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') {
        op = i;
        break;
      }
    }
    double start, delta = 0;
    if (op == std::string::npos) {
      ASSIGN_OR_RETURN(start, ParseNumber(head));
    } else {
      ASSIGN_OR_RETURN(start, ParseNumber(head.substr(0, op)));
      ASSIGN_OR_RETURN(delta, ParseNumber(head.substr(op + 1)));
      if (head[op] == '-') delta = -delta;
    }
    if (storage::IsStaleNaN(start) && op != std::string::npos)
      return absl::InvalidArgumentError(absl::StrCat("invalid value \"", tok, "\""));
    for (int64_t i = 0; i <= n; ++i) {
      out.push_back({k * interval_ms, start + delta * static_cast<double>(i)});
      ++k;
    }
  }
  return out;
}

std::vector<std::string> RunRuleUnitTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {absl::StrCat(path, ": cannot open")};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto doc = config::YamlDocument::Parse(text, path);
  if (!doc.ok()) return {std::string(SV(doc.status().message()))};
  TestFile file;
  if (auto s = ReadTestFile(doc->root(), &file); !s.ok()) return {std::string(SV(s.message()))};
  if (file.eval_interval_ms <= 0) file.eval_interval_ms = 60000;
  std::string dir = std::filesystem::path(path).parent_path().string();
  std::vector<RuleFile> rule_files;
  for (const auto& pattern : file.rule_files) {
    std::string full = (dir.empty() || (!pattern.empty() && pattern[0] == '/')) ? pattern : dir + "/" + pattern;
    for (const auto& m : GlobFiles(full)) {
      auto rf = ParseRuleFileAt(m);
      if (!rf.ok()) return SplitErrors(SV(rf.status().message()));
      rule_files.push_back(std::move(*rf));
    }
  }
  std::vector<std::string> errs;
  for (const auto& tg : file.tests) {
    auto e = RunGroup(file, tg, rule_files);
    errs.insert(errs.end(), e.begin(), e.end());
  }
  return errs;
}

int RunRuleUnitTests(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  bool failed = false;
  for (const auto& f : files) {
    out << "Unit Testing:  " << f << "\n";
    auto errs = RunRuleUnitTestFile(f);
    if (!errs.empty()) {
      err << "  FAILED:\n";
      for (const auto& e : errs) err << e << "\n";
      failed = true;
    } else {
      out << "  SUCCESS\n";
    }
    out << "\n";
  }
  return failed ? 1 : 0;
}

int CheckRuleFiles(const std::vector<std::string>& files, bool lint_fatal, bool lint_duplicates, std::ostream& out,
                   std::ostream& err) {
  bool has_errors = false, has_lint = false;
  for (const auto& f : files) {
    out << "Checking " << f << "\n";
    auto rf = ParseRuleFileAt(f);
    if (!rf.ok()) {
      err << "  FAILED:\n";
      for (const auto& e : SplitErrors(SV(rf.status().message()))) err << e << "\n";
      has_errors = true;
    } else {
      std::vector<DuplicateRule> dups;
      if (lint_duplicates) dups = FindDuplicateRules(*rf);
      if (!dups.empty()) {
        err << "  FAILED:\n";
        err << "lint error " << dups.size() << " duplicate rule(s) found.\n";
        for (const auto& d : dups) {
          err << "Metric: " << d.name << "\nLabel(s):\n";
          for (const auto& [k, v] : d.labels) err << "\t" << k << ": " << v << "\n";
        }
        err << "Might cause inconsistency while recording expressions\n";
        has_lint = true;
      } else {
        size_t n = 0;
        for (const auto& g : rf->groups) n += g.rules.size();
        out << "  SUCCESS: " << n << " rules found\n";
      }
    }
    out << "\n";
  }
  if (has_errors) return 1;
  if (has_lint && lint_fatal) return 3;
  return 0;
}

}  // namespace pharos::rules
